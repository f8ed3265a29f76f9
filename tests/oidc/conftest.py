"""A real OpenID provider (the npm package `oidc-provider`, tests/oidc/provider/) and the
product served by uvicorn on 127.0.0.1, so that the provider's redirects and back-channel
logout calls reach it; and a provider of our own (`ForgedProvider`) that signs whatever ID
token a test wants, for the attacks."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import uvicorn
from joserfc.jwk import ECKey, RSAKey
from sqlmodel import Session

from conftest import Factory, Person
from pmo.core.config import get_settings
from pmo.core.permissions import Actor, Grant, Role
from pmo.identity import oidc
from pmo.identity.providers_schemas import IdentityProviderSettings
from pmo.identity.providers_service import put_provider
from pmo.organisations.models import Organisation
from support.api import API

PROVIDER_DIR = Path(__file__).parent / "provider"
CALLBACK = f"{API}/auth/oidc/callback"
LOGOUT_PATH = API + "/auth/oidc/organisations/{slug}/backchannel-logout"
SECRETS = {"chesterfield": "chesterfield-secret-" + "c" * 24, "dacorum": "dacorum-secret-" + "d" * 24}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_keys(prefix: str) -> list[dict[str, Any]]:
    """An RS256 and an ES256 signing key, as private JWKs."""
    rsa = RSAKey.generate_key(2048, parameters={"kid": f"{prefix}-rsa", "alg": "RS256", "use": "sig"})
    ec = ECKey.generate_key("P-256", parameters={"kid": f"{prefix}-ec", "alg": "ES256", "use": "sig"})
    return [rsa.as_dict(private=True), ec.as_dict(private=True)]


# The product, served -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_app(app: Any, engine: Any) -> Iterator[str]:
    """The product on a free port (one server for the session), in this process."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the product did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def public_url(live_app: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's public URL names the server the provider redirects back to."""
    monkeypatch.setattr(get_settings(), "public_url", live_app)


# The real provider ------------------------------------------------------------------------


@dataclass
class RealProvider:
    """oidc-provider in a node process; people in a file it reads at each sign-in."""

    app_url: str
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pmo-oidc-")))
    keys: list[dict[str, Any]] = field(default_factory=lambda: new_keys("k1"))
    process: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = None
    output: list[str] = field(default_factory=list)  # what it printed: errors, for a failing test

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, slug: str, alg: str) -> dict[str, Any]:
        return {
            "client_id": f"{slug}-pmo",
            "client_secret": SECRETS[slug],
            "redirect_uris": [self.app_url + CALLBACK],
            "post_logout_redirect_uris": [f"{self.app_url}/sign-in/{slug}"],
            "backchannel_logout_uri": f"{self.app_url}{LOGOUT_PATH.format(slug=slug)}",
            "backchannel_logout_session_required": True,
            "id_token_signed_response_alg": alg,
        }

    def set_people(self, people: dict[str, dict[str, Any]]) -> None:
        (self.directory / "accounts.json").write_text(json.dumps(people))

    def start(self) -> None:
        config = {
            "port": self.port,
            "accounts_file": str(self.directory / "accounts.json"),
            "cookie_key": "cookie-key-" + "k" * 32,
            "keys": self.keys,
            "clients": [self.client("chesterfield", "RS256"), self.client("dacorum", "ES256")],
        }
        (self.directory / "config.json").write_text(json.dumps(config))
        if not (self.directory / "accounts.json").exists():
            self.set_people({})
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [
                shutil.which("node") or "node",
                str(PROVIDER_DIR / "provider.mjs"),
                str(self.directory / "config.json"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("listening"):
                break
        else:
            raise AssertionError("the OpenID provider did not start")
        # Keep reading its output so that a full pipe never blocks it.
        self.reader = threading.Thread(target=self._keep_output, args=(self.process.stdout,), daemon=True)
        self.reader.start()

    def _keep_output(self, stream: Any) -> None:
        for line in stream:
            self.output.append(line)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            if self.reader is not None:
                self.reader.join(timeout=10)
            assert self.process.stdout is not None
            self.process.stdout.close()
            self.process = None

    def rotate_keys(self, prefix: str) -> None:
        """The provider starts signing with new keys (and publishes only those)."""
        self.stop()
        self.keys = new_keys(prefix)
        self.start()


def _install_provider() -> None:
    """scripts/test.sh installs it; a run of pytest alone on a fresh clone installs it here
    (under a lock: test workers start at once)."""
    with open(PROVIDER_DIR / "package.json") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(  # noqa: S603 - npm, from the lockfile
                [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True
            )


@pytest.fixture(scope="session")
def real_provider(live_app: str) -> Iterator[RealProvider]:
    _install_provider()
    provider = RealProvider(app_url=live_app)
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(real_provider: RealProvider) -> Iterator[RealProvider]:
    """The provider with nobody in it yet; the product's caches forgotten after the test."""
    real_provider.set_people({})
    yield real_provider
    oidc.clear_cache()


# Setting up an organisation's provider ---------------------------------------------------------


def configure(factory: Factory, organisation: Organisation, issuer: str, slug: str, **changes: Any) -> Person:
    """The organisation's identity provider, as its admin sets it; returns the admin."""
    admin = factory.person(organisation, Role.admin)
    settings: dict[str, Any] = {
        "slug": slug,
        "issuer": issuer,
        "client_id": f"{slug}-pmo",
        "client_secret": SECRETS.get(slug, "forged-secret"),
        "group_roles": [
            {"group": "pmo-office", "role": "pmo"},
            {"group": "everyone", "role": "viewer"},
        ],
        "email_domains": [f"{slug}.test"],
        **changes,
    }
    actor = _actor(admin)
    with Session(factory.engine, expire_on_commit=False) as session:
        put_provider(session, actor, IdentityProviderSettings.model_validate(settings))
        session.commit()
    return admin


def _actor(person: Person) -> Actor:
    return Actor(
        kind="user",
        id=person.user.id,
        organisation_id=person.user.organisation_id,
        label=person.user.email,
        grants=(Grant(Role.admin),),
    )


# A browser, driven by httpx ----------------------------------------------------------------------


class Browser:
    """Follows redirects between the product and the provider, keeping each site's cookies
    as a browser would (the product's are `Secure`, which httpx's jar keeps off http)."""

    def __init__(self, app_url: str) -> None:
        self.app_url = app_url
        self.app_cookies: dict[str, str] = {}
        self.provider = httpx.Client(follow_redirects=False, timeout=10)

    def close(self) -> None:
        self.provider.close()

    def app(self, method: str, path_or_url: str, **kwargs: Any) -> httpx.Response:
        url = path_or_url if path_or_url.startswith("http") else self.app_url + path_or_url
        headers = {"Accept": "text/html", **kwargs.pop("headers", {})}
        if self.app_cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.app_cookies.items())
        response = httpx.request(method, url, headers=headers, follow_redirects=False, timeout=10, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if (
                "max-age=0" in header.lower()
                or "expires=thu, 01 jan 1970" in header.lower()
                or not value
                or value == '""'
            ):
                self.app_cookies.pop(name, None)
            else:
                self.app_cookies[name] = value
        return response

    def start(self, slug: str, return_to: str | None = None) -> httpx.Response:
        params = {"return_to": return_to} if return_to else None
        return self.app("GET", f"{API}/auth/oidc/organisations/{slug}/start", params=params)

    def sign_in_at_provider(self, authorize_url: str, login: str) -> str:
        """Through the provider's own login page; returns the product callback URL it redirects to."""
        response = self.provider.get(authorize_url)
        for _ in range(10):
            location = response.headers.get("location")
            if response.status_code in (302, 303) and location:
                url = urljoin(str(response.url), location)
                if url.startswith(self.app_url):
                    return url
                response = self.provider.get(url)
                continue
            assert response.status_code == 200, response.text
            if 'name="login"' in response.text:
                response = self.provider.post(
                    str(response.url), data={"prompt": "login", "login": login, "password": "any"}
                )
            elif 'name="prompt" value="consent"' in response.text:
                response = self.provider.post(str(response.url), data={"prompt": "consent"})
            else:
                raise AssertionError(f"unexpected provider page: {response.text[:500]}")
        raise AssertionError("too many redirects at the provider")

    def sign_in(self, slug: str, login: str) -> httpx.Response:
        """The whole round trip; returns the product's answer to the callback."""
        started = self.start(slug)
        assert started.status_code == 302, started.text
        return self.app("GET", self.sign_in_at_provider(started.headers["location"], login))

    def access_token(self) -> httpx.Response:
        return self.app(
            "POST",
            f"{API}/auth/session/refresh",
            headers={
                "X-CSRF-Token": self.app_cookies.get("__Host-pmo_csrf", ""),
                "Accept": "application/json",
            },
        )


@pytest.fixture
def browser(live_app: str) -> Iterator[Browser]:
    b = Browser(live_app)
    yield b
    b.close()


@pytest.fixture
def browser_factory(live_app: str) -> Iterator[Callable[[], Browser]]:
    made: list[Browser] = []

    def make() -> Browser:
        made.append(Browser(live_app))
        return made[-1]

    yield make
    for b in made:
        b.close()


# A provider of our own, for forged tokens -------------------------------------------------------


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class ForgedProvider:
    """Discovery, keys and a token endpoint that answers the ID token the test made. The token
    endpoint checks PKCE as a real provider does: the verifier must match the challenge."""

    def __init__(self) -> None:
        self.keys = new_keys("forged")
        self.published: list[dict[str, Any]] | None = None  # None: the public halves of `keys`
        self.id_token: str | None = None
        self.challenges: dict[str, str] = {}  # code -> code_challenge
        self.token_requests: list[dict[str, list[str]]] = []
        self.metadata_issuer: str | None = None
        self.jwks_fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def key(self, kty: str) -> RSAKey | ECKey:
        data = next(k for k in self.keys if k["kty"] == kty)
        return RSAKey.import_key(data) if kty == "RSA" else ECKey.import_key(data)

    def public_keys(self) -> list[dict[str, Any]]:
        if self.published is not None:
            return self.published
        return [
            (RSAKey if k["kty"] == "RSA" else ECKey).import_key(k).as_dict(private=False) for k in self.keys
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        forged = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._json(
                        200,
                        {
                            "issuer": forged.metadata_issuer or forged.issuer,
                            "authorization_endpoint": forged.issuer + "/authorize",
                            "token_endpoint": forged.issuer + "/token",
                            "jwks_uri": forged.issuer + "/jwks",
                            "end_session_endpoint": forged.issuer + "/logout",
                        },
                    )
                elif path == "/jwks":
                    forged.jwks_fetches += 1
                    self._json(200, {"keys": forged.public_keys()})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                forged.token_requests.append(form)
                code = form.get("code", [""])[0]
                verifier = form.get("code_verifier", [""])[0]
                if code not in forged.challenges or s256(verifier) != forged.challenges.pop(code):
                    self._json(
                        400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                    )
                    return
                self._json(200, {"access_token": "at", "token_type": "Bearer", "id_token": forged.id_token})

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def forged() -> Iterator[ForgedProvider]:
    provider = ForgedProvider()
    yield provider
    provider.close()
    oidc.clear_cache()
