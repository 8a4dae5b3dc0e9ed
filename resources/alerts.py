"""E-mail to operators on failures (JIPPNAS_ALERT_*); without JIPPNAS_ALERT_SMTP_HOST and _TO it stays silent."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from typing import Optional

from dagster import ConfigurableResource


def _env(name: str) -> str | None:
    """JIPPNAS_ALERT_SMTP_PORT, or the short JIPPNAS_ALERT_PORT (likewise USER, PASSWORD, STARTTLS)."""
    for key in (f"JIPPNAS_ALERT_{name}", f"JIPPNAS_ALERT_{name.removeprefix('SMTP_')}"):
        value = os.environ.get(key, "").strip()
        if value:
            return value
    return None


class AlertMailerResource(ConfigurableResource):
    """Unset fields fall back to JIPPNAS_ALERT_SMTP_HOST, _SMTP_PORT, _FROM, _TO (comma list), _SMTP_USER,
    _SMTP_PASSWORD and _SMTP_STARTTLS (true/false; default true unless the port is 25)."""

    smtp_host: Optional[str] = None
    smtp_port: Optional[int] = None
    sender: Optional[str] = None
    recipients: Optional[str] = None
    smtp_user: Optional[str] = None
    smtp_password: Optional[str] = None
    starttls: Optional[bool] = None

    def _setting(self, field: str, env: str) -> str | None:
        value = getattr(self, field)
        return str(value) if value is not None else _env(env)

    def enabled(self) -> bool:
        return bool(self._setting("smtp_host", "SMTP_HOST") and self._setting("recipients", "TO"))

    def send(self, subject: str, body: str) -> bool:
        """Send one message; False (and nothing sent) when alerts are not configured."""
        if not self.enabled():
            return False
        host = self._setting("smtp_host", "SMTP_HOST")
        port = int(self._setting("smtp_port", "SMTP_PORT") or 587)
        to = [a.strip() for a in self._setting("recipients", "TO").split(",") if a.strip()]
        tls_setting = self._setting("starttls", "SMTP_STARTTLS")
        starttls = (
            port != 25 if tls_setting is None else tls_setting.lower() in ("1", "true", "yes")
        )
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self._setting("sender", "FROM") or f"jippnas@{host}"
        msg["To"] = ", ".join(to)
        msg.set_content(body)
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if starttls:
                smtp.starttls()
            user = self._setting("smtp_user", "SMTP_USER")
            if user:
                smtp.login(user, self._setting("smtp_password", "SMTP_PASSWORD") or "")
            smtp.send_message(msg)
        return True
