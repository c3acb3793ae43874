"""zslite.Client and zslite.AsyncClient: one base, one core (sdk.core), two ways of waiting.

    with zslite.Client("http://localhost:8080", account="admin", password="password") as zs:
        for image in zs.vm_instances.image_candidates(vm_uuid):
            print(image.name, image.backupStorageRefs[0].installPath)
        vm = zs.vm_instances.change_image(vm_uuid, image_uuid)        # waits for the job

Credentials: `account` + `password` (logs in on first use, logs out on close), `session`, or
`access_key_id` + `access_key_secret` (each request signed). Tests inject `http_client=` (e.g.
Starlette's TestClient) or `transport=` (e.g. httpx.ASGITransport(app)).
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from zslite.apispec import api as spec_by_name
from zslite.apispec.spec import ApiSpec
from zslite.sdk import core
from zslite.sdk.errors import PollingTimeout, ResourceNotFound, SdkError
from zslite.sdk.models import InventoryList, SessionInventory, convert, to_model
from zslite.sdk.resources import Resource, did_you_mean, resource_classes


def sha512_hex(password: str) -> str:
    return hashlib.sha512(password.encode()).hexdigest()


class _BaseClient:
    def __init__(self, url: str = "http://localhost:8080", *, account: str | None = None,
                 password: str | None = None, session: str | None = None, access_key_id: str | None = None,
                 access_key_secret: str | None = None, context_path: str = "/zstack", timeout: float = 30.0,
                 polling_timeout: float = 3600.0, polling_interval: float = 0.5, max_retries: int = 3,
                 web_hook: str | None = None, http_client: Any = None, transport: Any = None):
        if bool(access_key_id) != bool(access_key_secret):
            raise SdkError("access_key_id and access_key_secret go together")
        if account is not None and password is None:
            raise SdkError("an account needs a password")
        self.endpoint = core.Endpoint(url, context_path)
        self.credentials = core.Credentials(session, access_key_id, access_key_secret)
        self.options = core.Options(polling_timeout=polling_timeout, polling_interval=polling_interval,
                                    max_retries=max_retries, web_hook=web_hook, json_schema=True)
        self._account = account
        self._password = password
        self._owns_session = False
        self._http = http_client
        self._owns_http = http_client is None
        self._timeout = timeout
        self._transport = transport
        self._resources: dict[str, Resource] = {}

    # -- resources --

    def __getattr__(self, name: str) -> Resource:
        if name.startswith("_"):
            raise AttributeError(name)
        classes = resource_classes()
        if name not in classes:
            raise AttributeError(f"{type(self).__name__} has no API family {name!r}{did_you_mean(name, classes)} "
                                 f"(families: {', '.join(sorted(classes))})")
        if name not in self._resources or type(self._resources[name]) is not classes[name]:
            self._resources[name] = classes[name](self)
        return self._resources[name]

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(resource_classes()))

    @property
    def session_id(self) -> str | None:
        return self.credentials.session_id

    # -- building blocks shared by both clients --

    def _request(self, spec: ApiSpec, params: dict[str, Any], api_id: str | None) -> core.HttpRequest:
        data = core.check_params(spec, params)
        return core.build_request(spec, data, self.endpoint, self.credentials, self.options, api_id=api_id)

    def _needs_login(self, spec: ApiSpec) -> bool:
        return (spec.auth != "none" and not self.credentials.session_id and not self.credentials.has_access_key
                and self._account is not None)

    def _login_request(self, account: str, password: str) -> core.HttpRequest:
        return self._request(spec_by_name("LogInByAccount"),
                             {"accountName": account, "password": sha512_hex(password)}, None)

    def _finish(self, spec: ApiSpec, outcome: core.Outcome, wait: bool):
        if outcome.error is not None:
            raise outcome.error
        if outcome.location and not wait:
            return self._job(spec, outcome.location)
        return convert(spec.result, outcome.body or {})

    def _one(self, spec: ApiSpec, uuid: str, found: InventoryList):
        if not found:
            raise ResourceNotFound(f"{spec.query or spec.name}[uuid:{uuid}] not found", http_status=None)
        return found[0]


class Job:
    """A submitted asynchronous API call (wait=False): `wait()` for its result, or `poll()` once."""

    def __init__(self, client: Client, spec: ApiSpec, location: str):
        self.client, self.spec, self.location = client, spec, location
        self.uuid = location.rstrip("/").rsplit("/", 1)[-1]

    def wait(self, timeout: float | None = None):
        outcome = core.run_sync(self.client._http_client(), core.poll_flow(self.location, self.client.options,
                                                                             timeout=timeout))
        return self.client._finish(self.spec, outcome, True)

    def poll(self) -> tuple[bool, Any]:
        """(done, result): one look at the job; raises if it failed."""
        outcome = core.run_sync(self.client._http_client(), core.poll_flow(self.location, self.client.options,
                                                                             timeout=0))
        if isinstance(outcome.error, PollingTimeout):
            return False, None
        return True, self.client._finish(self.spec, outcome, True)

    def __repr__(self) -> str:
        return f"Job({self.spec.name}, uuid={self.uuid})"


class AsyncJob(Job):
    async def wait(self, timeout: float | None = None):
        outcome = await core.run_async(self.client._http_client(), core.poll_flow(
            self.location, self.client.options, timeout=timeout))
        return self.client._finish(self.spec, outcome, True)

    async def poll(self) -> tuple[bool, Any]:
        outcome = await core.run_async(self.client._http_client(), core.poll_flow(
            self.location, self.client.options, timeout=0))
        if isinstance(outcome.error, PollingTimeout):
            return False, None
        return True, self.client._finish(self.spec, outcome, True)


class Client(_BaseClient):
    """The synchronous client (httpx.Client)."""

    def _http_client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self._timeout, transport=self._transport)
        return self._http

    def _job(self, spec: ApiSpec, location: str) -> Job:
        return Job(self, spec, location)

    def _run(self, request: core.HttpRequest, wait: bool = True, timeout: float | None = None) -> core.Outcome:
        return core.run_sync(self._http_client(), core.call_flow(request, self.options, wait=wait, timeout=timeout))

    def login(self, account: str | None = None, password: str | None = None, *,
              keep: bool = False) -> SessionInventory:
        """Log in (sha512 of the password on the wire); the session is used from now on and ended by
        close(), unless keep=True (the CLI saves it for later commands)."""
        account, password = account or self._account, password or self._password
        if account is None or password is None:
            raise SdkError("login needs an account and a password")
        outcome = self._run(self._login_request(account, password))
        if outcome.error is not None:
            raise outcome.error
        inv = to_model(outcome.body["inventory"], "SessionInventory")
        self.credentials.session_id = inv.uuid
        self._owns_session = not keep
        return inv

    def logout(self) -> None:
        if self.credentials.session_id:
            session, self.credentials.session_id = self.credentials.session_id, None
            self._owns_session = False
            self._run(self._request(spec_by_name("LogOut"), {"sessionUuid": session}, None))

    def _invoke(self, spec: ApiSpec, params: dict[str, Any], *, wait: bool = True, timeout: float | None = None,
                api_id: str | None = None):
        if self._needs_login(spec):
            self.login()
        outcome = self._run(self._request(spec, params, api_id), wait, timeout)
        return self._finish(spec, outcome, wait)

    def _get_one(self, spec: ApiSpec, uuid: str):
        return self._one(spec, uuid, self._invoke(spec, {"uuid": uuid}))

    def call(self, api_name: str, /, *, wait: bool = True, timeout: float | None = None, api_id: str | None = None,
             **params):
        """Any API by its ZStack name with its camelCase parameters, typed result."""
        return self._invoke(spec_by_name(api_name), params, wait=wait, timeout=timeout, api_id=api_id)

    def call_raw(self, api_name: str, /, *, wait: bool = True, timeout: float | None = None,
                 api_id: str | None = None, **params) -> dict:
        """Any API by name; the reply body as the server sent it (or {"location": …} when not waiting)."""
        spec = spec_by_name(api_name)
        if self._needs_login(spec):
            self.login()
        request = self._request(spec, params, api_id)
        request.headers.pop("X-JSON-Schema", None)
        outcome = self._run(request, wait, timeout)
        if outcome.error is not None:
            raise outcome.error
        return outcome.body if outcome.body is not None else {"location": outcome.location}

    def poll_job(self, location: str) -> dict | None:
        """One look at a job: None while it runs, its reply body once done; raises if it failed."""
        outcome = core.run_sync(self._http_client(), core.poll_flow(location, self.options, timeout=0))
        if isinstance(outcome.error, PollingTimeout):
            return None
        if outcome.error is not None:
            raise outcome.error
        return outcome.body

    def close(self) -> None:
        try:
            if self._owns_session:
                self.logout()
        except Exception:  # closing never fails because the server is gone
            pass
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The asyncio twin (httpx.AsyncClient): the same resources, each method awaitable."""

    def _http_client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout, transport=self._transport)
        return self._http

    def _job(self, spec: ApiSpec, location: str) -> AsyncJob:
        return AsyncJob(self, spec, location)

    async def _run(self, request: core.HttpRequest, wait: bool = True, timeout: float | None = None):
        return await core.run_async(self._http_client(), core.call_flow(request, self.options, wait=wait,
                                                                          timeout=timeout))

    async def login(self, account: str | None = None, password: str | None = None) -> SessionInventory:
        account, password = account or self._account, password or self._password
        if account is None or password is None:
            raise SdkError("login needs an account and a password")
        outcome = await self._run(self._login_request(account, password))
        if outcome.error is not None:
            raise outcome.error
        inv = to_model(outcome.body["inventory"], "SessionInventory")
        self.credentials.session_id = inv.uuid
        self._owns_session = True
        return inv

    async def logout(self) -> None:
        if self.credentials.session_id:
            session, self.credentials.session_id = self.credentials.session_id, None
            self._owns_session = False
            await self._run(self._request(spec_by_name("LogOut"), {"sessionUuid": session}, None))

    async def _invoke(self, spec: ApiSpec, params: dict[str, Any], *, wait: bool = True,
                      timeout: float | None = None, api_id: str | None = None):
        if self._needs_login(spec):
            await self.login()
        outcome = await self._run(self._request(spec, params, api_id), wait, timeout)
        return self._finish(spec, outcome, wait)

    async def _get_one(self, spec: ApiSpec, uuid: str):
        return self._one(spec, uuid, await self._invoke(spec, {"uuid": uuid}))

    async def call(self, api_name: str, /, *, wait: bool = True, timeout: float | None = None,
                   api_id: str | None = None, **params):
        return await self._invoke(spec_by_name(api_name), params, wait=wait, timeout=timeout, api_id=api_id)

    async def aclose(self) -> None:
        try:
            if self._owns_session:
                await self.logout()
        except Exception:
            pass
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()


def families() -> list[str]:
    """The API families a client exposes (client.<family>.<method>)."""
    return sorted(resource_classes())


__all__ = ["AsyncClient", "AsyncJob", "Client", "Job", "families"]
