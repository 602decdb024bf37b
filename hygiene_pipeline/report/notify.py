"""What the monthly notifications say, and how they leave: email over SMTP, a chat webhook.

The Dagster layer decides when (run status sensors, assets/notifications.py); this module decides
what, from the stored tables: counts per action, the health score and its change since the
previous stored month, refused export files. A notification leaves the machine (a mail server,
Slack, Teams), so it holds counts, months, check names, step names and file names only: never an
error text or a check's description, because both may quote an export's lines (a file exported
without its header row shows a person's email and phone as its "headers").

Settings come from the environment, read at each use so a restart is the only step after a change:
HYGIENE_SMTP_HOST, HYGIENE_SMTP_PORT, HYGIENE_SMTP_TLS (starttls, ssl, off), HYGIENE_SMTP_USER,
HYGIENE_SMTP_PASSWORD, HYGIENE_NOTIFY_FROM, HYGIENE_NOTIFY_TO, HYGIENE_NOTIFY_WEBHOOK and
HYGIENE_UI_URL (for the link to the run).
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import ssl
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import duckdb

from hygiene_pipeline.report.health_score import health_trend
from hygiene_pipeline.report.health_settings import HealthSettings
from hygiene_pipeline.schema import PRUNE_ACTIONS
from hygiene_pipeline.store import HygieneStore, StoreLockedError

SMTP_HOST = "HYGIENE_SMTP_HOST"
SMTP_PORT = "HYGIENE_SMTP_PORT"
SMTP_TLS = "HYGIENE_SMTP_TLS"
SMTP_USER = "HYGIENE_SMTP_USER"
SMTP_PASSWORD = "HYGIENE_SMTP_PASSWORD"
NOTIFY_FROM = "HYGIENE_NOTIFY_FROM"
NOTIFY_TO = "HYGIENE_NOTIFY_TO"
NOTIFY_WEBHOOK = "HYGIENE_NOTIFY_WEBHOOK"
UI_URL = "HYGIENE_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:3000"
TLS_MODES = {"starttls": 587, "ssl": 465, "off": 25}  # mode -> its usual port
# A sensor evaluation must end within the daemon's 60 s: each channel gets a bounded share.
SMTP_TIMEOUT_S = 20.0
WEBHOOK_TIMEOUT_S = 10.0

NOT_CONFIGURED = (
    f"no notification settings: set {SMTP_HOST} and {NOTIFY_TO} (email) or {NOTIFY_WEBHOOK} "
    "(Slack/Teams webhook) where the Dagster daemon runs, then restart it"
)


class NotificationError(RuntimeError):
    """A channel was misconfigured or refused the message; the other channels were still tried."""


def configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether any channel is asked for (an SMTP host or a webhook), complete or not."""
    env = os.environ if env is None else env
    return bool(env.get(SMTP_HOST, "").strip() or env.get(NOTIFY_WEBHOOK, "").strip())


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go, read from the environment; `problems` lists what is incomplete."""

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    webhook: str | None = None
    ui_url: str = DEFAULT_UI_URL
    problems: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        problems: list[str] = []
        tls = (get(SMTP_TLS) or "starttls").lower()
        if tls not in TLS_MODES:
            problems.append(f"{SMTP_TLS} must be one of {', '.join(TLS_MODES)}, not {tls!r}")
            tls = "starttls"
        port = TLS_MODES[tls]
        if get(SMTP_PORT):
            try:
                port = int(get(SMTP_PORT) or "")
            except ValueError:
                problems.append(f"{SMTP_PORT} must be a port number, not {get(SMTP_PORT)!r}")
        user = get(SMTP_USER)
        mail_from = get(NOTIFY_FROM) or (user if user and "@" in user else None)
        mail_to = tuple(a.strip() for a in re.split(r"[,;]", get(NOTIFY_TO) or "") if a.strip())
        host = get(SMTP_HOST)
        if host and not mail_to:
            problems.append(f"{SMTP_HOST} is set but {NOTIFY_TO} (the recipients) is not")
        if host and not mail_from:
            problems.append(f"{SMTP_HOST} is set but {NOTIFY_FROM} (the sender address) is not")
        if not host and (mail_to or get(NOTIFY_FROM)):
            problems.append(f"{NOTIFY_TO}/{NOTIFY_FROM} are set but {SMTP_HOST} is not")
        webhook = get(NOTIFY_WEBHOOK)
        if webhook and urllib.parse.urlsplit(webhook).scheme not in ("http", "https"):
            problems.append(f"{NOTIFY_WEBHOOK} must be an http(s) URL")
            webhook = None
        return cls(
            smtp_host=host,
            smtp_port=port,
            smtp_tls=tls,
            smtp_user=user,
            smtp_password=get(SMTP_PASSWORD),
            mail_from=mail_from,
            mail_to=mail_to,
            webhook=webhook,
            ui_url=(get(UI_URL) or DEFAULT_UI_URL).rstrip("/"),
            problems=tuple(problems),
        )

    @property
    def email_ready(self) -> bool:
        return bool(self.smtp_host and self.mail_to and self.mail_from)

    @property
    def any_channel(self) -> bool:
        return bool(self.smtp_host or self.webhook)

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_url}/runs/{run_id}"


# ---- What a message says ----


@dataclass(frozen=True)
class CheckOutcome:
    """A check that did not pass in the run: where, which, how bad. Never its description."""

    asset: str
    check: str
    severity: str  # ERROR or WARN
    blocking: bool = False

    def label(self) -> str:
        blocking = ", blocking" if self.blocking and self.severity == "ERROR" else ""
        return f"{self.asset}.{self.check} ({self.severity}{blocking})"


@dataclass(frozen=True)
class MonthCounts:
    """The month as stored: counts only."""

    snapshot: date
    contacts: int
    actions: dict[str, int]  # every PRUNE_ACTIONS key
    clusters: int
    score: float | None
    previous: tuple[date, float] | None  # the previous stored month and its score
    decay_rate: float | None
    refused_files: tuple[str, ...]

    @property
    def pruned(self) -> int:
        return sum(self.actions.values())


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The email body: one fact per line."""
        return "\n".join(self.lines) + "\n"

    @property
    def chat_text(self) -> str:
        """The webhook text: a list, which Slack shows as typed and Teams renders line by line."""
        return self.subject + "\n" + "\n".join(f"- {line}" for line in self.lines if line)


def read_counts(
    store: HygieneStore, snapshot: date, health: HealthSettings | None = None
) -> MonthCounts:
    """The month's counts from the stored tables (raises if the database cannot be read); the
    score under the team's `health` settings, as the report computes it."""
    row = store.query(
        """
        SELECT
          (SELECT count(*) FROM validation_results WHERE snapshot = $1) AS contacts,
          (SELECT count(DISTINCT cluster_id) FROM duplicate_clusters WHERE snapshot = $1)
            AS clusters
        """,
        [snapshot],
    ).row(0, named=True)
    found = dict(
        store.query(
            "SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY action",
            [snapshot],
        ).iter_rows()
    )
    trend = health_trend(store, snapshot, health)
    score = decay = previous = None
    for month, month_score, month_decay in trend.select("snapshot", "score", "decay_rate").rows():
        if month == snapshot:
            score, decay = month_score, month_decay
        elif month < snapshot:
            previous = (month, month_score)  # the trend is sorted: the last one before wins
    return MonthCounts(
        snapshot=snapshot,
        contacts=int(row["contacts"]),
        actions={action: int(found.get(action, 0)) for action in PRUNE_ACTIONS},
        clusters=int(row["clusters"]),
        score=score,
        previous=previous,
        decay_rate=decay,
        refused_files=refused_files(store, snapshot),
    )


def refused_files(store: HygieneStore, snapshot: date) -> tuple[str, ...]:
    """Names of the month's export files that were refused (never the refusal text)."""
    if "export_files" not in store.tables():
        return ()
    frame = store.query(
        "SELECT DISTINCT source_file FROM export_files "
        "WHERE snapshot = $1 AND status = 'refused' ORDER BY 1",
        [snapshot],
    )
    return tuple(frame["source_file"].to_list())


# What makes the database unreadable for a moment, or not yet there: the message still goes out.
UNREADABLE = (StoreLockedError, FileNotFoundError, duckdb.Error)


def summary_message(
    store: HygieneStore,
    snapshot: date,
    *,
    run_url: str,
    checks: Sequence[CheckOutcome],
    health: HealthSettings | None = None,
) -> Message:
    """The summary after a successful monthly run.

    When the database cannot be read (another run holds DuckDB's write lock past the wait),
    the summary still goes out, with the checks and the link, and says where the counts are.
    """
    month = f"{snapshot:%Y-%m}"
    counts: MonthCounts | None = None
    why = ""
    try:
        counts = read_counts(store, snapshot, health)
    except UNREADABLE as error:
        why = type(error).__name__
    failed = [c for c in checks if c.severity == "ERROR"]
    warned = [c for c in checks if c.severity != "ERROR"]
    lines = [f"CRM hygiene {month}: the run succeeded."]
    if counts is None:
        lines.append(
            f"Counts: not available now, the database was busy ({why}); they are in the "
            f"report reports/{month}.html and in the run."
        )
        subject = f"CRM hygiene {month}: done"
    else:
        lines += _count_lines(counts)
        subject = (
            f"CRM hygiene {month}: health {_score(counts.score)}{_change(counts, short=True)}, "
            f"{counts.pruned} of {counts.contacts} on the prune list"
        )
    if failed:
        subject += f", {len(failed)} check{'s' if len(failed) > 1 else ''} failed"
    lines += _check_lines(failed, warned)
    if counts is not None:
        lines.append(f"Refused export files: {_names(counts.refused_files)}")
    lines.append(f"Run: {run_url}")
    return Message(subject, tuple(lines))


def failure_message(
    *,
    snapshot: date | None,
    job: str,
    run_url: str,
    failed_steps: Sequence[str],
    checks: Sequence[CheckOutcome],
    refused: Sequence[str] | None = None,
) -> Message:
    """The alert for a failed run: what failed by name, and the link; never the error text."""
    month = f"{snapshot:%Y-%m}" if snapshot else "a run without a month"
    failed = [c for c in checks if c.severity == "ERROR"]
    warned = [c for c in checks if c.severity != "ERROR"]
    blocking = [c for c in failed if c.blocking]
    reason = (
        f"{len(blocking)} blocking check{'s' if len(blocking) > 1 else ''} failed"
        if blocking
        else "the run failed"
    )
    who = "" if job.startswith("__") else f" ({job})"
    lines = [
        f"CRM hygiene {month}: the run FAILED{who}.",
        f"Failed steps: {_names(failed_steps)}",
        *_check_lines(failed, warned),
    ]
    if refused is not None:
        lines.append(f"Refused export files: {_names(refused)}")
    lines += [
        "Why it failed is in the run's logs: this message leaves out error texts, which can "
        "quote an export's data. Fix the cause, then run the month again.",
        f"Run: {run_url}",
    ]
    return Message(f"CRM hygiene {month} FAILED: {reason}", tuple(lines))


def _count_lines(counts: MonthCounts) -> list[str]:
    actions = ", ".join(f"{action} {counts.actions[action]}" for action in PRUNE_ACTIONS)
    decay = "–" if counts.decay_rate is None else f"{counts.decay_rate:.1%}"
    return [
        f"Contacts: {counts.contacts} ({counts.contacts - counts.pruned} kept as they are)",
        f"Prune list: {counts.pruned} ({actions})",
        f"Duplicate clusters: {counts.clusters}",
        f"Health score: {_score(counts.score)}{_change(counts, short=False)}",
        f"Decay rate: {decay}",
    ]


def _check_lines(failed: Sequence[CheckOutcome], warned: Sequence[CheckOutcome]) -> list[str]:
    return [
        f"Checks failed: {_names([c.label() for c in failed])}",
        f"Checks with warnings: {_names([c.label() for c in warned])}",
    ]


def _score(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"


def _change(counts: MonthCounts, *, short: bool) -> str:
    if counts.previous is None or counts.score is None:
        return "" if short else " (the first stored month)"
    month, before = counts.previous
    change = f"{counts.score - before:+.1f}"
    return f" ({change})" if short else f" ({change} since {month:%Y-%m})"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "none"


# ---- How it leaves ----


def deliver(settings: NotifySettings, message: Message) -> list[str]:
    """Send `message` on every configured channel; the channels that took it.

    Every channel is tried; an incomplete setting or a refusal raises NotificationError at the
    end, naming the channel (so the sensor's tick shows it), after the others were sent.
    """
    sent: list[str] = []
    errors = list(settings.problems)
    if settings.email_ready:
        try:
            send_email(settings, message)
            sent.append(f"email to {len(settings.mail_to)} recipient(s)")
        except (OSError, smtplib.SMTPException) as error:
            errors.append(f"email via {settings.smtp_host}:{settings.smtp_port} failed: {error}")
    if settings.webhook:
        try:
            post_webhook(settings.webhook, message)
            sent.append("webhook")
        except OSError as error:  # urllib's URLError and HTTPError are OSErrors
            errors.append(f"webhook {_host(settings.webhook)} failed: {error}")
    if errors:
        done = f" (sent: {', '.join(sent)})" if sent else " (nothing sent)"
        raise NotificationError("; ".join(errors) + done)
    return sent


def send_email(settings: NotifySettings, message: Message) -> None:
    """Plain-text mail over SMTP: STARTTLS (default), implicit TLS, or none for a local relay;
    login only when a user is set."""
    if not (settings.smtp_host and settings.mail_from and settings.mail_to):
        raise NotificationError("email is not configured")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.mail_from
    mail["To"] = ", ".join(settings.mail_to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    mail.set_content(message.text)
    context = ssl.create_default_context()
    if settings.smtp_tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(mail)


def post_webhook(url: str, message: Message) -> None:
    """POST `{"text": ...}`: what Slack incoming webhooks and Teams' incoming webhooks accept."""
    body = json.dumps({"text": message.chat_text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
        response.read()


def _host(url: str) -> str:
    """The webhook's host only: its path is a secret (whoever has it can post)."""
    return urllib.parse.urlsplit(url).netloc
