"""Flask-WTF forms (each carries a CSRF token). They only parse; the services check rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from issuer.openbadges.vocab import ACHIEVEMENT_TYPES


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
    image = FileField("Image (PNG or SVG)")


class NewProfileForm(ProfileForm):
    slug = StringField("URL name (letters, digits, dashes)")
    did_method = SelectField(
        "Identifier",
        choices=[SelectChoice("web", "did:web under this site's address"),
                 SelectChoice("key", "did:key (the identifier is the key; no rotation)")],
        validate_choice=False,
    )


class AchievementForm(FlaskForm):
    name = StringField("Name")
    description = TextAreaField("Description")
    criteria_narrative = TextAreaField("Criteria (Markdown)")
    achievement_type = SelectField(
        "Achievement type",
        choices=[
            SelectChoice("", "— none —"),
            *(SelectChoice(value) for value in ACHIEVEMENT_TYPES),
        ],
        validate_choice=False,  # the service names a bad choice in the form's own words
    )
    tags = StringField("Tags (comma-separated)")
    alignments = TextAreaField("Alignments (one per line: Name | https://url | framework | code)")
    image = FileField("Image (PNG or SVG)")


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
