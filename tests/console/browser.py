"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright, for the console's tests and
its screenshots. Playwright never downloads a browser of its own here (`playwright install` is not
used): it drives the system's Chromium through `executable_path`."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

CHROMIUM = os.environ.get("ZSLITE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        raise RuntimeError(f"{CHROMIUM} is missing: the console's browser tests need Debian's chromium "
                           "(`make test` installs it as root; else `apt-get install chromium chromium-driver`)")
    return CHROMIUM


def launch(playwright):
    """A headless Chromium with a fresh profile (Playwright gives each launch its own user-data-dir)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS, headless=True)


def log_in(page, base_url: str, account: str, password: str) -> None:
    """Log in through the form, as a person would: type, then Enter."""
    page.goto(base_url + "/")
    page.fill("#login-account", account)
    page.fill("#login-password", password)
    page.press("#login-password", "Enter")
    page.wait_for_selector("#top:not([hidden])")
    page.wait_for_selector("main h1")
    settle(page)


def settle(page) -> None:
    """Wait until no "Loading…" placeholder is left on the page."""
    page.wait_for_function("() => !document.querySelector('.loading')")


def current(page, contains: str = "") -> None:
    """Wait until the page on screen is the one in the address bar (whose hash holds `contains`),
    fully loaded: a hash change re-renders in an event, after the navigation itself."""
    page.wait_for_function("""contains => {
        const main = document.querySelector('main');
        return main.dataset.route === location.hash && location.hash.includes(contains)
            && !document.querySelector('.loading');
    }""", arg=contains)


def visit(page, hash_: str) -> None:
    """Open a console page by its hash (#/vms/<uuid>) and wait until it is on screen, loaded."""
    page.goto("/" + hash_)
    current(page)


@contextmanager
def on_a_phone(browser, base_url: str, hash_: str, ready: str, expected: list[str]):
    """Log in as admin at a phone's width and open a console page: it shows every word of `expected`,
    the page does not scroll sideways and nothing inside sticks out to the right (a table cell, a long
    uuid, a bar). Yields the page for more checks."""
    context = browser.new_context(viewport=PHONE, base_url=base_url, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        log_in(page, base_url, "admin", "password")
        visit(page, hash_)
        page.wait_for_selector(ready)
        settle(page)
        text = page.inner_text("main")
        for word in expected:
            assert word in text, word
        widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth]")
        assert max(widths) <= PHONE["width"], widths
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
            .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""")
        assert wide == [], wide
        yield page
    finally:
        context.close()
