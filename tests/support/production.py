"""The portal as a public body deploys it, started on loopback for the HTTPS tier and stopped afterwards.

nginx (Debian's, with deploy/nginx/portal.conf rendered) ends TLS with a certificate made here from a
throwaway CA, and proxies to gunicorn (deploy/gunicorn.conf.py, 2 workers) running with
PORTAL_ENV=production and every production setting set: PostgreSQL, Redis (rate limits and Huey, with
`flask worker` running), the S3 store on moto_server, clamd with the project's signatures, SMTP to an
aiosmtpd server, signed push to the reference case system, postcodes from a local postcodes.io double.

`production_portal()` yields a `Production`: its `base_url` (https://portal.test:<port>), the CA file and
the leaf's SPKI hash (for Chromium), `https()` for a Python client that trusts only that CA, the SMTP
server's messages and the case system's cases.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import hashlib
import http.client
import os
import pwd
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import require_redis, throwaway_database
from tests.support.case_system import running_case_system
from tests.support.clamd import running_clamd
from tests.support.portal_processes import (BIN, DROPPED, ROOT, Service, flask, free_port, tail,
                                            wait_for_http)
from tests.support.postcodes_server import running_postcodes_server
from tests.support.s3 import create_bucket, running_moto_server, s3_client
from tests.support.smtp import running_smtp_server

NGINX = Path(os.environ.get("NGINX_BINARY", "/usr/sbin/nginx"))
HOST = "portal.test"  # a name of our own, resolved to 127.0.0.1 by the clients (Chromium: host-resolver-rules)
NGINX_SITE = ROOT / "deploy" / "nginx" / "portal.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# Redis databases of the tier's own, emptied before and after: rate limits and the Huey queue.
RATELIMIT_DB, JOBS_DB = 13, 14
# Capture's code email puts the code on a line of its own; Secure Share's puts it first in the subject.
CODE = re.compile(r"^(\d{6})$", re.M)
CODE_SUBJECT = re.compile(r"^(\d{6}) (?:is your security code|yw eich cod diogelwch)")


# --- a throwaway CA and a leaf for portal.test ------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Certificates:
    ca: Path
    leaf: Path
    key: Path
    spki_sha256: str  # base64 of the leaf's SubjectPublicKeyInfo hash, as Chromium's SPKI list wants it


def make_certificates(folder: Path, host: str = HOST) -> Certificates:
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Portal HTTPS tier throwaway CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = Certificates(folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key", "")
    paths.ca.write_bytes(ca.public_bytes(pem))
    # nginx is given the chain, leaf first, as an operator would install it.
    paths.leaf.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    paths.key.write_bytes(leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths.key.chmod(0o600)
    spki = leaf_key.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return dataclasses.replace(paths, spki_sha256=base64.b64encode(hashlib.sha256(spki).digest()).decode())


# --- nginx ------------------------------------------------------------------------------------------------

def render_site(values: dict[str, str]) -> str:
    """deploy/nginx/portal.conf with its @NAME@ values filled in; a value left unfilled is an error."""
    text = NGINX_SITE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(re.findall(r"@([A-Z_]+)@", text)))
    if left:
        raise ValueError(f"{NGINX_SITE} has values nobody filled in: {left}")
    return text


def nginx_main_config(folder: Path, site: Path) -> str:
    """The machine-wide part an operator already has in /etc/nginx/nginx.conf, pointed at a test folder."""
    user = ""
    if os.geteuid() == 0:  # nginx's workers drop to an unprivileged user; its temp folders must be theirs
        name = "www-data" if _user_exists("www-data") else "nobody"
        user = f"user {name};"
    return f"""{user}
daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _give_to_nginx_workers(folder: Path) -> None:
    if os.geteuid() != 0:
        return
    user = pwd.getpwnam("www-data" if _user_exists("www-data") else "nobody")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        path = folder / name
        path.mkdir(mode=0o700, exist_ok=True)
        os.chown(path, user.pw_uid, user.pw_gid)


# --- clients ----------------------------------------------------------------------------------------------

class PortalHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to portal.test that resolves it to 127.0.0.1 and trusts only the test CA."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 60):
        super().__init__(HOST, port, context=context, timeout=timeout)

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclasses.dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)


@dataclasses.dataclass
class Production:
    base_url: str
    port: int
    http_port: int
    certificates: Certificates
    env: dict[str, str]
    smtp: object  # tests.support.smtp.SmtpServer
    case_system: object  # tests.support.case_system.RunningCaseSystem
    folder: Path
    web: Service
    worker: Service
    nginx: subprocess.Popen
    api_key: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificates.ca))

    def https(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        connection = PortalHTTPS(self.port, self.tls_context())
        try:
            connection.request(method, path, body=body, headers={"Host": f"{HOST}:{self.port}", **(headers or {})})
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def api(self, method: str, path: str, json_body=None, body: bytes | None = None,
            headers: dict | None = None) -> Reply:
        import json

        headers = {"Authorization": f"Bearer {self.api_key}", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        return self.https(method, f"/api/v1{path}", body=body, headers=headers)

    def messages_to(self, address: str) -> list:
        return [m.parsed for m in self.smtp.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def wait_for_code(self, address: str, after: int = 0, timeout: float = 30) -> tuple[str, int]:
        """The newest security code emailed to `address` in a message after the first `after` ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages_to(address)
            for message in reversed(messages[after:]):
                found = CODE_SUBJECT.match(str(message["Subject"])) or CODE.search(message.get_content())
                if found:
                    return found.group(1), len(messages)
            time.sleep(0.1)
        raise AssertionError(f"no security code reached the SMTP server for {address} within {timeout:.0f} s:\n"
                             f"{tail(self.folder / 'worker.log')}")

    def wait_for_message(self, address: str, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages_to(address):
                found = re.search(pattern, message.get_content())
                if found:
                    return found.group(0)
            time.sleep(0.1)
        received = [(str(m["Subject"]), m.get_content()[-300:]) for m in self.messages_to(address)]
        raise AssertionError(f"no email matching {pattern!r} reached {address} within {timeout:.0f} s; "
                             f"it received {received}")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{tail(self.folder / name, 40)}"
                         for name in ("web.log", "worker.log", "nginx/error.log"))


# --- the whole topology ---------------------------------------------------------------------------------

def _redis_flush(url_base: str) -> None:
    for db in (RATELIMIT_DB, JOBS_DB):
        client = redis.Redis.from_url(f"{url_base}/{db}")
        try:
            client.flushdb()
        finally:
            client.close()


def _start_nginx(folder: Path) -> subprocess.Popen:
    log = open(folder / "nginx.out", "wb")
    process = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def _wait_for_nginx(process: subprocess.Popen, port: int, folder: Path, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited ({process.returncode}):\n{tail(folder / 'nginx.out')}\n"
                               f"{tail(folder / 'error.log')}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {limit:.0f} s:\n{tail(folder / 'error.log')}")


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait()


@contextlib.contextmanager
def production_portal(postgres_admin, web_workers: int = 2) -> Iterator[Production]:
    """`postgres_admin` is tests/conftest.py's fixture (engine, base URL): the tier's database is made from it."""
    if not NGINX.exists():
        pytest.fail(f"{NGINX} not found: install Debian's nginx (make test does, as root)", pytrace=False)
    redis_base = require_redis(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")).rstrip("/")
    folder = Path(tempfile.mkdtemp(prefix="portal-https-"))
    folder.chmod(0o755)  # nginx's workers read nothing here but must traverse to their temp folders
    (folder / "nginx").mkdir()
    certificates = make_certificates(folder)
    case_secret = secrets.token_urlsafe(32)
    port, http_port, web_port = free_port(), free_port(), free_port()
    base_url = f"https://{HOST}:{port}"
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(throwaway_database(postgres_admin, "portal_https"))
        _redis_flush(redis_base)
        stack.callback(_redis_flush, redis_base)
        moto = stack.enter_context(running_moto_server())
        create_bucket(s3_client(moto), "portal-https")
        clamd = stack.enter_context(running_clamd())
        smtp = stack.enter_context(running_smtp_server())
        case_system = stack.enter_context(running_case_system(case_secret))
        postcodes = stack.enter_context(running_postcodes_server())

        env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        env.update({
            "PORTAL_ENV": "production",
            "PORTAL_VAR_DIR": str(folder / "var"),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "FILE_STORE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
            "CASE_SYSTEM_SECRET": case_secret,
            "CASE_SYSTEM_URL": case_system.url,
            "DATABASE_URL": database_url,
            "JOB_BACKEND": "redis",
            "REDIS_URL": f"{redis_base}/{JOBS_DB}",
            "RATELIMIT_STORAGE_URI": f"{redis_base}/{RATELIMIT_DB}",
            "FILE_STORE": "s3", "S3_BUCKET": "portal-https", "S3_ENDPOINT_URL": moto, "S3_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "CLAMD_SOCKET": clamd.socket_path,
            "MAILER": "smtp", "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port),
            "MAIL_FROM": "no-reply@portal.test",
            "BASE_URL": base_url,
            "PROXY_HOPS": "1",
            "POSTCODES_BASE_URL": postcodes.base_url,
            "MAX_CONTENT_LENGTH": "110MB",
            "SHARE_MAX_DOCUMENT": "2GB",
            "LOG_LEVEL": "INFO",
            "WELSH_OFFERED": "true",  # the language switcher, ?lang=cy and the __Host- language cookie over https
            "PORTAL_BIND": f"127.0.0.1:{web_port}",
            "WEB_CONCURRENCY": str(web_workers),
            "PYTHONUNBUFFERED": "1",
        })
        flask(env, "db", "upgrade")
        created = flask(env, "api-key", "create", "HTTPS tier case system", "--scope", "shares:write",
                        "--scope", "submissions:read", "--scope", "submissions:ack", "--scope", "disclosures:write",
                        "--scope", "submissions:status", "--scope", "figures:read")
        api_key = _key_from(created.stdout)

        web = Service("web", [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "portal.app:create_app()"], env,
                      folder / "web.log")
        worker = Service("worker", [str(BIN / "flask"), "--app", "portal.app:create_app", "worker",
                                    "--workers", "2"], env, folder / "worker.log")
        web.start()
        stack.callback(web.stop)
        worker.start()
        stack.callback(worker.stop)
        wait_for_http(web_port, web, workers=web_workers)

        site = folder / "nginx" / "portal.conf"
        site.write_text(render_site({
            "SERVER_NAME": HOST, "BASE_URL": base_url, "HTTPS_LISTEN": f"127.0.0.1:{port}",
            "HTTP_LISTEN": f"127.0.0.1:{http_port}", "SSL_CERTIFICATE": str(certificates.leaf),
            "SSL_CERTIFICATE_KEY": str(certificates.key), "UPSTREAM": f"127.0.0.1:{web_port}",
            "MAX_BODY": "110m", "SHARE_MAX_BODY": "2048m",
        }))
        nginx_folder = folder / "nginx"
        (nginx_folder / "nginx.conf").write_text(nginx_main_config(nginx_folder, site))
        _give_to_nginx_workers(nginx_folder)
        nginx = _start_nginx(nginx_folder)
        stack.callback(_stop_process, nginx)
        _wait_for_nginx(nginx, port, nginx_folder)

        production = Production(base_url, port, http_port, certificates, env, smtp, case_system, folder, web,
                                worker, nginx, api_key)
        ready = production.https("GET", "/readyz")
        if ready.status != 200:
            raise RuntimeError(f"/readyz through nginx answered {ready.status}: {ready.body[:500]!r}\n"
                               f"{production.logs()}")
        yield production
    shutil.rmtree(folder, ignore_errors=True)


def _key_from(output: str) -> str:
    for line in output.splitlines():
        word = line.strip().split()[-1] if line.strip() else ""
        if len(word) >= 32 and re.fullmatch(r"[A-Za-z0-9_\-.]+", word):
            return word
    raise RuntimeError(f"no API key in the output of `flask api-key create`:\n{output}")
