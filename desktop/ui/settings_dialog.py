"""Settings: profile, API base URL, API key (keyring only, masked), theme and text size.

Every keyring call runs in a worker thread (``SecretStore.aget`` and friends) through the ``spawn``
the app passes in: a keyring may be a D-Bus round trip, or wait for the user to unlock it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.codat.urls import RefusedUrl, check_api_base
from desktop.core.live.credentials import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE
from desktop.core.live.hub_url import RefusedHubUrl, check_hub_url
from desktop.core.secrets import SecretStore, SecretStoreError
from desktop.core.settings import Settings, SettingsError
from desktop.core.team.summary import MAX_NAME
from desktop.ui.rich_text import plain_label
from desktop.ui.settings_form import SettingsForm
from desktop.ui.theme import outline_indicators

# (base_url, api_key) -> (ok, message): the app injects a check against the Codat client.
ConnectionTester = Callable[[str, str], Awaitable[tuple[bool, str]]]
# (coroutine, task name) -> the task: the app's BackgroundTasks.spawn, keeping a reference to it.
Spawn = Callable[[Coroutine[Any, Any, None], str], object]


class SettingsDialog(QDialog):
    applied = Signal()
    test_requested = Signal(
        str, str
    )  # base URL, key: the app runs the check and calls show_test_result

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        profile: str,
        spawn: Spawn,
        parent: QWidget | None = None,
        hub_secrets: SecretStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.secrets = secrets
        self.hub_secrets = hub_secrets or SecretStore(HUB_SECRET_SERVICE)
        self._spawn = spawn
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        connection = QGroupBox("Codat connection")
        form = QFormLayout(connection)
        profile_row = QHBoxLayout()
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.addItems(list(settings.profiles))
        self.profile_combo.setCurrentText(profile)
        self.add_profile_button = QPushButton("Add…")
        self.add_profile_button.setAccessibleName("Add profile")
        profile_row.addWidget(self.profile_combo, 1)
        profile_row.addWidget(self.add_profile_button)
        form.addRow(self._buddy("&Profile", self.profile_combo), profile_row)

        self.api_base = QLineEdit()
        self.api_base.setAccessibleName("API base URL")
        self.api_base.setPlaceholderText("https://api.codat.io")
        form.addRow("API &base URL", self.api_base)
        self.allow_insecure = QCheckBox(
            "Allow an http:// API base off this computer (sends the key unencrypted)"
        )
        self.allow_insecure.setAccessibleName("Allow http API base")
        form.addRow("", self.allow_insecure)

        key_row = QHBoxLayout()
        self.api_key = QLineEdit()
        self.api_key.setAccessibleName("API key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(
            "Paste the key from the Codat Portal (Developers › API keys)"
        )
        self.reveal_button = QPushButton("Show")
        self.reveal_button.setCheckable(True)
        self.reveal_button.setAccessibleName("Show API key")
        self.reveal_button.toggled.connect(self._reveal)
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.reveal_button)
        form.addRow(self._buddy("API &key", self.api_key), key_row)

        self.keyring_label = QLabel("Stored in: checking the keyring…")
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setAccessibleName("Keyring")
        form.addRow("", self.keyring_label)
        self.session_only = QCheckBox("Keep the key for this session only (not saved anywhere)")
        outline_indicators(self.session_only)
        self.session_only.setAccessibleName("Keep key for this session only")
        self.session_only.setVisible(False)  # shown when the keyring turns out unusable
        form.addRow("", self.session_only)
        spawn(self._show_backend(), "settings: keyring backend")

        test_row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection")
        self.test_button.setAccessibleName("Test connection")
        self.test_result = plain_label()  # Codat's answer
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Connection test result")
        self.copy_result = QPushButton("Copy")
        self.copy_result.setAccessibleName("Copy connection test result")
        self.copy_result.setVisible(False)
        self.copy_result.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.test_result.text())
        )
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        test_row.addWidget(self.copy_result)
        form.addRow("", test_row)
        self.test_button.clicked.connect(self._request_test)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        layout.addWidget(self.tabs)
        self.tabs.addTab(connection, "&Connection")

        appearance = QGroupBox("Appearance")
        look = QFormLayout(appearance)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for value, text in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(text, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.get("theme"))))
        look.addRow("T&heme", self.theme)
        self.font_scale = QDoubleSpinBox()
        self.font_scale.setAccessibleName("Text size")
        self.font_scale.setRange(0.75, 3.0)
        self.font_scale.setSingleStep(0.25)
        self.font_scale.setSuffix("×")
        self.font_scale.setValue(float(settings.get("font_scale")))
        look.addRow("Text &size", self.font_scale)
        self.agent_name = QLineEdit(str(settings.get("agent_name")))
        self.agent_name.setAccessibleName("Your name")
        self.agent_name.setMaxLength(MAX_NAME)  # what the team's readers accept (team/summary.py)
        look.addRow("Your &name", self.agent_name)
        self.tabs.addTab(appearance, "&Appearance")

        # The other settings get their editors from their declarations (settings_form.py).
        self.calls_form = SettingsForm(settings, ("invitation_template", "notify", "stall_seconds"))
        self.calls_form.add_note(
            "In the invitation, {company}, {link}, {checklist} and {agent} are replaced by the "
            "customer's company, the Link URL, the checklist and your name.",
            after="invitation_template",
        )
        self.tabs.addTab(self.calls_form, "Ca&lls")
        self.polling_form = SettingsForm(
            settings,
            ("fast_interval", "medium_interval", "slow_interval", "max_backoff", "quota_share"),
        )
        self.polling_form.add_note(
            "Codat allows 1,000 requests a day plus 1,000 per connected company, shared by your "
            "whole organisation. LinkDesk spends its share as a steady rate over the day, and "
            "slows down (saying so on the call page) when many calls share it; lower the share "
            "when many agents use LinkDesk. Takes effect at the next start."
        )
        self.tabs.addTab(self.polling_form, "&Polling")
        self.guides_form = SettingsForm(settings, ("team_guides_dir", "guides_max_age_days"))
        self.guides_form.add_note(
            "Guides in this folder are added to the built-in ones, or replace the built-in guide "
            "with the same file name or platform key. Empty: the team-guides folder in LinkDesk's "
            "data folder. Takes effect at the next start.",
            after="team_guides_dir",
        )
        self.guides_form.add_note(
            "'linkdesk guides check' warns about a guide whose 'checked' date is older than this, "
            "or that names no Codat pages in 'sources'."
        )
        self.tabs.addTab(self.guides_form, "&Guides")

        self.hub_form = SettingsForm(
            settings, ("hub_url", "hub_tls_ca", "team_share_company_names")
        )
        self.hub_credentials = QLineEdit()
        self.hub_credentials.setEchoMode(QLineEdit.EchoMode.Password)
        self.hub_credentials.setAccessibleName("Team hub credentials")
        self.hub_credentials.setPlaceholderText(
            "kept in the keyring when typed; leave empty to keep what is saved"
        )
        self.hub_form.form.addRow(
            self._buddy("Team hub c&redentials", self.hub_credentials), self.hub_credentials
        )
        self.hub_form.add_note(
            "Your team's hub publishes Codat's events to NATS: with its URL (nats://… or tls://…) "
            "LinkDesk follows journeys live and polls only as a heartbeat, and polls as usual "
            "whenever the hub is not live. Credentials (a NATS token, or user:password) are kept "
            "in the system keyring only. Takes effect at the next start."
        )
        self.hub_form.add_note(
            "With a team hub, each call you end is shared with your team's reports: platform, "
            "steps and their times, problems, outcome. Never your notes, the outcome's own words "
            "or the API key; the company's name only when sharing names is ticked.",
            after="team_share_company_names",
        )
        self.tabs.addTab(self.hub_form, "Team h&ub")

        self.error = plain_label()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.setStyleSheet("color: palette(bright-text);")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.profile_combo.currentTextChanged.connect(self._load_profile)
        self.add_profile_button.clicked.connect(self._add_profile)
        self._load_profile(profile)

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        """A row label whose Alt+letter focuses its field (a row holding a layout has none)."""
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def _alive(self) -> bool:
        """False once Qt deleted the dialog: a keyring answer may arrive after it closed."""
        return shiboken6.isValid(self)

    async def _show_backend(self) -> None:
        backend = await self.secrets.abackend()
        if not self._alive():
            return
        self.keyring_label.setText(f"Stored in: {backend.description}")
        self.session_only.setChecked(not backend.usable)
        self.session_only.setVisible(not backend.usable)

    def _load_profile(self, profile: str) -> None:
        if not profile:
            return
        self.api_base.setText(str(self.settings.get("api_base", profile)))
        self.allow_insecure.setChecked(bool(self.settings.get("allow_insecure_http", profile)))
        self.api_key.clear()
        self.api_key.setPlaceholderText("Checking for a stored key…")
        self._spawn(self._show_key_state(profile), "settings: is a key stored")

    async def _show_key_state(self, profile: str) -> None:
        has_key = await self.secrets.aget(profile) is not None
        if not self._alive() or self.selected_profile() != profile:
            return  # the agent moved on to another profile meanwhile
        self.api_key.setPlaceholderText(
            "A key is stored (leave empty to keep it)"
            if has_key
            else "No key: LinkDesk uses its embedded sandbox"
        )

    def _reveal(self, shown: bool) -> None:
        self.api_key.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.reveal_button.setText("Hide" if shown else "Show")

    def _add_profile(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("New profile")
        dialog.setLabelText("Name of the new profile (e.g. production, sandbox):")
        dialog.textValueSelected.connect(self._create_profile)
        dialog.open()

    def _create_profile(self, name: str) -> None:
        try:
            self.settings.add_profile(name)
        except SettingsError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.profile_combo.addItem(name.strip())
        self.profile_combo.setCurrentText(name.strip())

    def _request_test(self) -> None:
        self.test_result.setText("Testing…")
        self.copy_result.setVisible(False)
        self.test_button.setEnabled(False)
        self._spawn(
            self._test_with(self.api_base.text().strip(), self.api_key.text().strip()),
            "settings: test connection",
        )

    async def _test_with(self, base: str, typed_key: str) -> None:
        """The key typed, else the one stored for the profile (read off the GUI thread)."""
        key = typed_key or (await self.secrets.aget(self.selected_profile()) or "")
        if self._alive():
            self.test_requested.emit(base, key)

    def show_test_result(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + message)
        self.copy_result.setVisible(True)

    def selected_profile(self) -> str:
        return self.profile_combo.currentText()

    def _apply(self) -> None:
        """Check and keep the settings; the key and the file are saved by ``_save``."""
        profile = self.selected_profile()
        base = self.api_base.text().strip() or "https://api.codat.io"
        insecure = self.allow_insecure.isChecked()
        hub = self.hub_form.values()
        try:
            hub_url = check_hub_url(str(hub.get("hub_url") or ""))
        except RefusedHubUrl as exc:
            self.error.setText(str(exc))
            return
        credential = self.hub_credentials.text().strip()
        try:
            check_api_base(base, allow_insecure_http=insecure)  # refused before anything is kept
            self.settings.set_many(
                {
                    "theme": self.theme.currentData(),
                    "font_scale": float(self.font_scale.value()),
                    "agent_name": self.agent_name.text().strip(),
                    **self.calls_form.values(),
                    **self.polling_form.values(),
                    **self.guides_form.values(),
                    "hub_url": hub_url,
                    "hub_tls_ca": str(hub.get("hub_tls_ca") or "").strip(),
                    "team_share_company_names": bool(hub.get("team_share_company_names")),
                }
            )
            self.settings.set("api_base", base, profile)
            self.settings.set("allow_insecure_http", insecure, profile)
        except (SettingsError, RefusedUrl) as exc:
            self.error.setText(str(exc))
            return
        key = self.api_key.text().strip()
        self.buttons.setEnabled(False)  # one save at a time
        self.error.setText("Saving in the keyring…" if key or credential else "")
        self._spawn(
            self._save(profile, key, self.session_only.isChecked(), credential), "settings: save"
        )

    async def _save(self, profile: str, key: str, session_only: bool, hub_credential: str) -> None:
        try:
            if hub_credential:
                await self.hub_secrets.aset(HUB_SECRET_ACCOUNT, hub_credential)
            if key:
                await self.secrets.aset(profile, key, session_only=session_only)
            self.settings.use_profile(profile)
            self.settings.save()
        except (SettingsError, SecretStoreError, OSError) as exc:
            if self._alive():
                self.error.setText(str(exc))
                self.buttons.setEnabled(True)
            return
        if not self._alive():
            return
        self.error.clear()
        self.buttons.setEnabled(True)
        self.api_key.clear()
        self.hub_credentials.clear()
        self.applied.emit()
        self.accept()
