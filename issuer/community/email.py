"""Email: the SMTP setting (``ISSUER_SMTP_URL``), sending one message, and composing the
messages we send (a credential was issued; a sign-in link).

``smtp://user:pass@host:587?starttls=1`` (STARTTLS), ``smtps://user:pass@host:465`` (TLS from
the start), ``smtp://host:25`` (plain, e.g. a local relay). User and password are
percent-decoded. The password never appears in a repr, a log line or an error message.

Messages are rendered from templates under ``issuer/web/templates/members/`` with Jinja alone
(no Flask), as a text part and an HTML part; the badge image is attached inline.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from issuer.services.users import EMAIL_RE

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"
DEFAULT_TIMEOUT = 20.0
_TRUE = ("1", "true", "yes", "on")

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                 default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class MailConfigError(ValueError):
    """ISSUER_SMTP_URL or ISSUER_MAIL_FROM cannot be used (the message names no secret)."""


class MailError(Exception):
    """Sending failed. ``permanent`` when retrying cannot help (the server refused the
    recipient or the sender, or authentication failed)."""

    def __init__(self, message: str, *, permanent: bool = False):
        self.permanent = permanent
        super().__init__(message)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    implicit_tls: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        tls = "?starttls=1" if self.starttls else ""
        return f"SmtpSettings({scheme}://{user}{self.host}:{self.port}{tls})"


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings
    mail_from: str


def parse_smtp_url(url: str) -> SmtpSettings:
    """SmtpSettings from ``smtp[s]://[user[:password]@]host[:port][?starttls=1&timeout=20]``."""
    if not isinstance(url, str) or not url.strip():
        raise MailConfigError("ISSUER_SMTP_URL is empty")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise MailConfigError("ISSUER_SMTP_URL is not a URL with a valid port") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise MailConfigError("ISSUER_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise MailConfigError("ISSUER_SMTP_URL needs a host name")
    if parts.path not in ("", "/") or parts.fragment:
        raise MailConfigError("ISSUER_SMTP_URL has no path or fragment")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"starttls", "timeout"})
    if unknown:
        raise MailConfigError(f"ISSUER_SMTP_URL: unknown option {', '.join(unknown)} "
                              "(use starttls, timeout)")
    implicit_tls = parts.scheme == "smtps"
    starttls = (query.get("starttls", ["0"])[-1].strip().lower() in _TRUE)
    if implicit_tls and starttls:
        raise MailConfigError("ISSUER_SMTP_URL: smtps:// already uses TLS; drop starttls")
    timeout = DEFAULT_TIMEOUT
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][-1])
        except ValueError:
            raise MailConfigError("ISSUER_SMTP_URL: timeout must be a number of seconds"
                                  ) from None
        if not 0 < timeout <= 300:
            raise MailConfigError("ISSUER_SMTP_URL: timeout must be between 0 and 300 seconds")
    if port is None:
        port = 465 if implicit_tls else (587 if starttls else 25)
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise MailConfigError("ISSUER_SMTP_URL has a password but no user name")
    return SmtpSettings(host=parts.hostname, port=port, username=username, password=password,
                        starttls=starttls, implicit_tls=implicit_tls, timeout=timeout)


def check_mail_from(value: str | None) -> str:
    """A From address: ``badges@example.org`` or ``Example Badges <badges@example.org>``."""
    if not isinstance(value, str) or not value.strip():
        raise MailConfigError("set ISSUER_MAIL_FROM (e.g. 'Example Badges <badges@example.org>') "
                              "when ISSUER_SMTP_URL is set")
    name, address = parseaddr(value.strip())
    if not EMAIL_RE.match(address or "") or any(ch in value for ch in "\r\n"):
        raise MailConfigError("ISSUER_MAIL_FROM must be an email address, optionally with a "
                              "name: Example Badges <badges@example.org>")
    return formataddr((name, address)) if name else address


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver one message; MailError (never with the password in it) on failure."""
    context = ssl.create_default_context()
    try:
        if settings.implicit_tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.starttls:
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                client.login(settings.username, settings.password or "")
            refused = client.send_message(message)
            if refused:
                raise MailError(f"the server refused {len(refused)} recipient(s)",
                                permanent=True)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"authentication failed ({exc.smtp_code})", permanent=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise MailError(f"the server refused the recipient ({codes})",
                        permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"the server refused the sender ({exc.smtp_code})",
                        permanent=exc.smtp_code >= 500) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        raise MailError(f"SMTP error {exc.smtp_code}: {text[:200]}",
                        permanent=exc.smtp_code >= 500) from None
    except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot reach {settings.host}:{settings.port}: "
                        f"{type(exc).__name__}: {str(exc)[:200]}") from None


# -- composing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialMail:
    """What the "you earned a badge" message shows. Only links, names and the image: the
    recipient's address appears in the To header only."""

    recipient_name: str | None
    achievement_name: str
    achievement_description: str
    issuer_name: str
    credential_url: str
    download_url: str
    linkedin_url: str
    claim_url: str = field(repr=False)
    image_png: bytes | None = field(default=None, repr=False)


def _message(*, mail_from: str, to: str, subject: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(now)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    return message


def credential_message(mail: CredentialMail, *, mail_from: str, to: str,
                       now: datetime) -> EmailMessage:
    """The announcement of an issued credential: text + HTML, the badge inline."""
    image_cid = make_msgid(domain="badge.invalid")[1:-1] if mail.image_png else None
    context = {"mail": mail, "image_cid": image_cid}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"You have earned {mail.achievement_name}")
    message.set_content(_environment.get_template("members/email_credential.txt")
                        .render(context))
    html = _environment.get_template("members/email_credential.html").render(context)
    message.add_alternative(html, subtype="html")
    if mail.image_png:
        html_part = message.get_payload()[1]
        html_part.add_related(mail.image_png, maintype="image", subtype="png",
                              cid=f"<{image_cid}>", filename="badge.png",
                              disposition="inline")
    return message


def sign_in_message(*, display_name: str, link: str, minutes: int, site_name: str,
                    mail_from: str, to: str, now: datetime) -> EmailMessage:
    """A one-time sign-in link for a member."""
    context = {"display_name": display_name, "link": link, "minutes": minutes,
               "site_name": site_name}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"Your sign-in link for {site_name}")
    message.set_content(_environment.get_template("members/email_sign_in.txt").render(context))
    message.add_alternative(
        _environment.get_template("members/email_sign_in.html").render(context), subtype="html")
    return message


def tx_code_message(*, code: str, badge_name: str, minutes: int, site_name: str,
                    mail_from: str, to: str, now: datetime) -> EmailMessage:
    """The transaction code a wallet asks for when it redeems an OpenID4VCI offer."""
    context = {"code": code, "badge_name": badge_name, "minutes": minutes,
               "site_name": site_name}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"Your wallet code for {badge_name}")
    message.set_content(_environment.get_template("members/email_tx_code.txt").render(context))
    return message


def webhook_disabled_message(*, url: str, profile_name: str, reason: str, page_url: str,
                             site_name: str, mail_from: str, to: str, now: datetime
                             ) -> EmailMessage:
    """To a webhook endpoint's owner: it was disabled after failing for a day (issue 15)."""
    context = {"url": url, "profile_name": profile_name, "reason": reason,
               "page_url": page_url, "site_name": site_name}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"Webhook endpoint disabled: {url}"[:200])
    message.set_content(_environment.get_template("members/email_webhook_disabled.txt")
                        .render(context))
    return message


def verify_address_message(*, display_name: str, link: str, hours: int, site_name: str,
                           mail_from: str, to: str, now: datetime) -> EmailMessage:
    """A one-time link that verifies an address a member added to their page."""
    context = {"display_name": display_name, "link": link, "hours": hours,
               "site_name": site_name, "address": to}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"Confirm your email address for {site_name}")
    return _text_and_html(message, "members/email_verify_address", context)


def _text_and_html(message: EmailMessage, template: str, context: dict) -> EmailMessage:
    """``message`` with a text part and an HTML part from ``template``.txt / .html."""
    message.set_content(_environment.get_template(f"{template}.txt").render(context))
    message.add_alternative(_environment.get_template(f"{template}.html").render(context),
                            subtype="html")
    return message


@dataclass(frozen=True)
class ReminderMail:
    """What the "your badge expires soon" message shows (issue 14: expiry reminders)."""

    recipient_name: str | None
    achievement_name: str
    issuer_name: str
    valid_until: datetime
    days_left: int
    renewal_url: str
    credential_url: str


def expiry_reminder_message(mail: ReminderMail, *, mail_from: str, to: str,
                            now: datetime) -> EmailMessage:
    """A reminder that a credential expires soon, with the link to earn or renew it."""
    context = {"mail": mail}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"Your badge {mail.achievement_name} expires soon"[:200])
    return _text_and_html(message, "members/email_expiry_reminder", context)


def admin_invitation_message(*, inviter: str, profile_name: str, role: str, role_text: str,
                             link: str, days: int, site_name: str, mail_from: str, to: str,
                             now: datetime) -> EmailMessage:
    """An invitation to become an admin of an issuer profile (issue 14, item 6)."""
    context = {"inviter": inviter, "profile_name": profile_name, "role": role,
               "role_text": role_text, "link": link, "days": days, "site_name": site_name}
    message = _message(mail_from=mail_from, to=to, now=now,
                       subject=f"You are invited to {profile_name} on {site_name}")
    return _text_and_html(message, "members/email_admin_invitation", context)
