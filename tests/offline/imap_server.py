"""A real IMAP server for the tests: Debian's dovecot (apt package ``dovecot-imapd``), started
as an instance of its own with a generated configuration in a temporary folder: loopback on a
free port, no TLS, plain passwords, one user whose maildir is in the folder.

Dovecot never lets a mail user be root (hard-wired), so when the tests run as root the
mailbox belongs to ``nobody`` and dovecot's own processes run as its system users
(``dovecot``, ``dovenull``, made by the package); otherwise everything runs as the user
running the tests.
"""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.utils import wait_for

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "sohbet", "mailbox-password"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = sohbet-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = {uid}
first_valid_gid = {gid}
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ImapServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.port = free_port()
        self.url = f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            uid, gid, internal, login = nobody.pw_uid, nobody.pw_gid, "dovecot", "dovenull"
        else:
            me = pwd.getpwuid(os.getuid())
            uid, gid, internal, login = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
        self.root.chmod(0o755)  # dovecot's own users read the users file
        mail = self.root / "mail"
        mail.mkdir()
        os.chown(mail, uid, gid)
        users = self.root / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{mail}/{USER}::\n")
        users.chmod(0o644)
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root, port=self.port, uid=uid, gid=gid, internal=internal, login=login
            )
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("wb"),
        )
        wait_for(self._answers, timeout=20)

    def _answers(self) -> bool:
        """dovecot answers on its port"""
        if self.process.poll() is not None:
            raise AssertionError(f"dovecot stopped: {self.log()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                return conn.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def log(self) -> str:
        parts = [self.root / "stderr.log", self.root / "dovecot.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes) -> None:
        """Put an email into the mailbox, unseen, as the mail server would."""
        client = self._client()
        try:
            status, detail = client.append("INBOX", None, None, raw)
            assert status == "OK", detail
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self._client()
        try:
            client.select("INBOX")
            _status, data = client.search(None, "UNSEEN")
            return len(data[0].split())
        finally:
            client.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
