"""Flask-WTF forms (each carries a CSRF token). They only parse; the services check rules,
and :func:`show_errors` puts their messages next to the fields."""

from __future__ import annotations

import re

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from issuer.badgedesign.design import INITIALS, MAX_RIBBON, MAX_TITLE, SHAPES
from issuer.badgedesign.icons import ICON_LABELS
from issuer.errors import ValidationFailed
from issuer.openbadges.vocab import ACHIEVEMENT_TYPES
from issuer.web.admin.uploads import size_text


class MaxFileSize:
    """A file field's size limit, read from the app's ``setting`` when the form is checked:
    the size is taken by seeking the spooled upload (nothing more is read into memory)."""

    def __init__(self, setting: str = "MAX_IMAGE_BYTES", what: str = "image"):
        self.setting, self.what = setting, what

    def limit(self) -> int:
        return int(current_app.config[self.setting])

    def __call__(self, form, field) -> None:
        storage = field.data
        if not isinstance(storage, FileStorage) or not storage.filename:
            return
        stream = storage.stream
        start = stream.tell()
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(start)
        if size > self.limit():
            raise ValidationError(f"The {self.what} is {size_text(size)}; the limit is "
                                  f"{size_text(self.limit())}. Choose a smaller file.")


def file_limit(field) -> int:
    """The byte limit of a file field with :class:`MaxFileSize` (for ``data-max-bytes``)."""
    return next(validator.limit() for validator in field.validators
                if isinstance(validator, MaxFileSize))


def image_field(label: str = "Image (PNG or SVG)") -> FileField:
    return FileField(label, validators=[MaxFileSize()])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (sign-out, key rotation)."""


class ProfileForm(FlaskForm):
    name = StringField("Name")
    url = StringField("Website")
    email = StringField("Contact email")
    description = TextAreaField("Description")
    image = image_field()
    offers_suspension = BooleanField("Offer suspension in new credentials")


class NewProfileForm(ProfileForm):
    slug = StringField("URL name (letters, digits, dashes)")
    did_method = SelectField(
        "Identifier",
        choices=[SelectChoice("web", "did:web under this site's address"),
                 SelectChoice("key", "did:key (the identifier is the key; no rotation)")],
        validate_choice=False,
    )


# Readable names for the OB 3.0 achievement types (the stored value stays the vocabulary term).
_TYPE_LABEL_OVERRIDES = {"CoCurricular": "Co-curricular", "GeneralEducationDevelopment":
                         "General Education Development (GED)"}


def achievement_type_label(value: str) -> str:
    """``CertificateOfCompletion`` → "Certificate of completion"."""
    if value in _TYPE_LABEL_OVERRIDES:
        return _TYPE_LABEL_OVERRIDES[value]
    words = re.findall(r"[A-Z][a-z]*", value)
    return " ".join([words[0], *(word.lower() for word in words[1:])])


class AchievementForm(FlaskForm):
    name = StringField("Name")
    description = TextAreaField("Description")
    criteria_narrative = TextAreaField("Criteria (Markdown)")
    achievement_type = SelectField(
        "Achievement type",
        choices=[
            SelectChoice("", "— none —"),
            *(SelectChoice(value, achievement_type_label(value)) for value in ACHIEVEMENT_TYPES),
        ],
        validate_choice=False,  # the service names a bad choice in the form's own words
    )
    tags = StringField("Tags (comma-separated)")
    alignments = TextAreaField("Alignments (one per line: Name | https://url | framework | code)")
    image = image_field()
    # The badge designer (issuer.badgedesign): the service checks every value.
    image_source = RadioField(
        "Badge image",
        choices=[SelectChoice("design", "Design the badge here"),
                 SelectChoice("upload", "Upload an image"),
                 SelectChoice("keep", "Keep the current image")],
        default="design", validate_choice=False,
    )
    design_shape = RadioField("Shape", choices=[SelectChoice(*item) for item in SHAPES.items()],
                              default="circle",
                              validate_choice=False)
    design_background = StringField("Background", default="#1d4ed8")
    design_accent = StringField("Rim and ribbon", default="#fbbf24")
    design_foreground = StringField("Icon and text", default="#ffffff")
    design_icon = RadioField("Icon", choices=[SelectChoice(INITIALS, "Initials"),
                                      *(SelectChoice(*item) for item in ICON_LABELS.items())],
                             default="award", validate_choice=False)
    design_title = StringField(f"Text on the badge (at most {MAX_TITLE} characters)")
    design_ribbon = StringField(f"Ribbon text (optional, at most {MAX_RIBBON} characters)")

    def design_values(self) -> dict[str, str]:
        """The designer's fields as a design record's keys (title defaults to the name)."""
        return {
            "shape": self.design_shape.data, "background": self.design_background.data,
            "accent": self.design_accent.data, "foreground": self.design_foreground.data,
            "icon": self.design_icon.data,
            "title": (self.design_title.data or "").strip() or (self.name.data or ""),
            "ribbon": self.design_ribbon.data or "",
        }

    private = BooleanField("Visible only to its holder (a private badge)")
    # Expiry reminders (issuer.services.reminders checks both).
    remind_days = StringField("Days before expiry to remind the recipient")
    renewal_url = StringField("Renewal link (optional)")


class IssueForm(FlaskForm):
    achievement = SelectField("Achievement", validate_choice=False)
    email = StringField("Recipient email")
    name = StringField("Recipient name")
    did = StringField("Recipient DID (optional)")
    valid_until = DateField("Expires on (optional)", validators=[Optional()], format="%Y-%m-%d")
    evidence_url = StringField("Evidence URL (optional)")
    evidence_narrative = TextAreaField("Evidence narrative (optional)")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField("New password (at least 10 characters)")
    repeat_password = PasswordField("New password again")


def checkboxes(label: str, items: dict[str, str], *, default: list[str]) -> SelectMultipleField:
    """A list of checkboxes, one per ``name: text`` item (API scopes, webhook events)."""
    return SelectMultipleField(
        label, choices=[SelectChoice(name, f"{name}: {text}") for name, text in items.items()],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validate_choice=False, default=default,
    )


def show_errors(form: FlaskForm, error: ValidationFailed) -> list[str]:
    """Attach a service's messages to their fields; return those that belong to no field."""
    general = []
    for field_name, message in error.errors.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or ()), message]
        else:
            general.append(message)
    return general


class CredentialFilterForm(FlaskForm):
    """The credential list's query parameters (GET, no CSRF: it changes nothing). Choices
    are filled in by the view; anything outside them is a message on the form, never a 500."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    issuer = SelectField("Issuer profile", validators=[Optional()])
    achievement = SelectField("Achievement", validators=[Optional()])
    status = SelectField("Status", validators=[Optional()])
    via = SelectField("Issued through", validators=[Optional()])
    issued_from = DateField("Issued from", validators=[Optional()], format="%Y-%m-%d")
    issued_to = DateField("Issued until", validators=[Optional()], format="%Y-%m-%d")
    sort = SelectField("Sort by", validators=[Optional()], default="issued")
    direction = SelectField("Order", validators=[Optional()], default="desc")
    per_page = SelectField("Per page", validators=[Optional()], default="50")
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=1_000_000)])

    def validate_issued_to(self, field) -> None:
        if field.data and self.issued_from.data and field.data < self.issued_from.data:
            raise ValidationError("The end date is before the start date.")
