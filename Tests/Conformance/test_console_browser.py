"""The web console in a real browser: Debian's Chromium, headless, driven by Selenium through
Debian's chromedriver (no browser download). One `tonearm serve` runs the Discord plugin against
the Discord simulator on loopback; the tests sign in, play a track through the ListenBrainz API
and watch the dashboard and the presence card, manage the plugin, and check that no page or API
answer holds a secret and that nothing is served without a session.

Screenshots of every page go to build/console-screenshots/ (kept as test artifacts).
"""

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import ROOT, ensure_built
from test_runtime_conformance import tonearm  # noqa: F401  (the session fixture)
from test_tonearm_serve_plugins import free_port

TIMEOUT_S = 30
ADMIN_TOKEN = "console-admin-7f3k"
DISCORD_TOKEN = "discord-token-alice-Zq81"
LISTENBRAINZ_TOKEN = "lb-alice-5521"
SCREENSHOTS = ROOT / "build" / "console-screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def wait_for(condition, what, timeout=TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def http(base, path, method="GET", body=None, headers=None):
    """(status, headers, text) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def stack(tonearm, tmp_path_factory):  # noqa: F811
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not Path(binary).exists():
            pytest.fail(f"{binary} is missing: install Debian's chromium and chromium-driver (.ci/run does)")
    simulator_binary = ROOT / ".build" / "debug" / "discord-simulator"
    if not simulator_binary.exists():
        subprocess.run(["swift", "build", "--product", "discord-simulator"], cwd=ROOT, check=True)
    discord = ensure_built(ROOT / "Plugins" / "discord-rich-presence")
    folder = tmp_path_factory.mktemp("console")
    simulator = subprocess.Popen([str(simulator_binary), "--port", "0", "--token", f"alice={DISCORD_TOKEN}"],
                                 stdout=subprocess.PIPE, stderr=open(folder / "simulator.log", "wb"))
    endpoints = json.loads(simulator.stdout.readline())
    (folder / "plugins").mkdir()
    (folder / "plugins" / "discord-rich-presence.ndp").write_bytes(discord.read_bytes())
    port = free_port()
    (folder / "tonearm.toml").write_text(f"""
DataFolder = "data"

[Server]
Address = "127.0.0.1"
Port = {port}
AdminToken = "{ADMIN_TOKEN}"

[[Users]]
Name = "alice"
ListenBrainzToken = "{LISTENBRAINZ_TOKEN}"

[Plugins]
Folder = "plugins"

[Plugins.discord-rich-presence]
Users = ["alice"]
ExtraHosts = ["127.0.0.1"]

[PluginSettings.discord-rich-presence]
ClientID = "123456789012345678"
GatewayURL = "{endpoints["gateway_url"]}"
APIBaseURL = "{endpoints["http_url"]}/api/v10"
Users = [{{ username = "alice", token = "{DISCORD_TOKEN}" }}]
""")
    log = open(folder / "serve.log", "wb")
    serve = subprocess.Popen([str(tonearm), "serve", "--config", "tonearm.toml"], cwd=folder,
                             stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def answers():
        assert serve.poll() is None, (folder / "serve.log").read_text()
        return _answers(base)

    wait_for(answers, "tonearm serve to answer /healthz")

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(TIMEOUT_S)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"base": base, "browser": browser, "folder": folder, "simulator": endpoints["http_url"]}
    finally:
        browser.quit()
        stop(serve, simulator)
        log.close()


def stop(*processes):
    """SIGTERM, then SIGKILL for a process still running after TIMEOUT_S."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT_S)


def _answers(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2):
            return True
    except OSError:
        return False


def text_of(browser, xpath):
    """The element's text, or "" while the page is being replaced."""
    try:
        return browser.find_element(By.XPATH, xpath).text
    except WebDriverException:  # not there (yet), or replaced while read
        return ""


def screenshot(browser, name):
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def sign_in(browser, base):
    browser.get(base + "/signin")
    browser.delete_all_cookies()
    browser.get(base + "/")
    wait_for(lambda: browser.current_url.endswith("/signin"), "the redirect to the sign-in page")
    screenshot(browser, "01-sign-in")
    browser.find_element(By.ID, "secret").send_keys(ADMIN_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
    wait_for(lambda: text_of(browser, "//h1") == "Dashboard", "the dashboard")


def play(base, title, artist="Daft Punk", album="Discovery", duration_ms=320_000):
    listen = {"listen_type": "playing_now", "payload": [{"track_metadata": {
        "artist_name": artist, "track_name": title, "release_name": album,
        "additional_info": {"duration_ms": duration_ms, "media_player": "Feishin"}}}]}
    status, _, body = http(base, "/1/submit-listens", "POST", json.dumps(listen),
                           {"Authorization": f"Token {LISTENBRAINZ_TOKEN}", "Content-Type": "application/json"})
    assert status == 200, body


def simulator_presence(stack):
    with urllib.request.urlopen(stack["simulator"] + "/_simulator/users/alice/presence", timeout=5) as response:
        return json.loads(response.read())


def test_nothing_is_served_without_a_session(stack):
    base = stack["base"]
    for path in ("/", "/plugins", "/plugins/discord-rich-presence", "/logs"):
        status, headers, _ = http(base, path)
        assert status == 303 and headers["Location"] == "/signin", path
    for path in ("/console/events", "/console/fragments/live", "/api/console/session", "/api/console/dashboard",
                 "/api/console/plugins", "/api/console/logs"):
        assert http(base, path)[0] == 401, path
    assert http(base, "/api/console/plugins/discord-rich-presence/disable", "POST")[0] == 401
    status, headers, _ = http(base, "/plugins/discord-rich-presence/disable", "POST", "csrf=x",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["Location"] == "/signin"


def test_a_listener_playing_shows_on_the_dashboard_and_the_presence_card(stack):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    play(base, "One More Time")
    # The dashboard follows live (Server-Sent Events): no reload.
    wait_for(lambda: "One More Time" in text_of(browser, "//*[@id='live']"), "the track on the dashboard")
    card = "//div[contains(@class,'presence') and @data-user='alice']"
    wait_for(lambda: "One More Time" in text_of(browser, card) and "Daft Punk" in text_of(browser, card),
             "the presence card")
    # What the card shows is what the simulated Discord received.
    presence = wait_for(lambda: simulator_presence(stack), "the presence at the simulator")
    assert presence["activities"][0]["details"] == "One More Time"
    # The dashboard's live part may be replaced at any moment: measure through the page itself.
    measure = """const bar = document.querySelector(".presence[data-user='alice'] .progress .bar span");
                 const elapsed = document.querySelector(".presence[data-user='alice'] .progress .elapsed");
                 return bar ? [bar.getBoundingClientRect().width, elapsed.textContent] : null;"""
    first = wait_for(lambda: browser.execute_script(measure), "the progress bar")
    time.sleep(2.5)
    second = browser.execute_script(measure)
    assert second[0] > first[0], f"the progress bar did not move ({first} → {second})"
    assert second[1].startswith("0:0"), second
    screenshot(browser, "02-dashboard")
    browser.set_window_size(390, 844)
    browser.refresh()
    wait_for(lambda: "One More Time" in text_of(browser, card), "the narrow card")
    screenshot(browser, "03-dashboard-narrow")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the narrow page scrolls sideways ({width} px)"
    browser.set_window_size(1280, 900)
    # Dark mode follows the system setting.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    channels = [int(value) for value in background[background.index("(") + 1:background.index(")")].split(",")[:3]]
    assert max(channels) < 80, f"not dark: {background}"
    screenshot(browser, "03b-dashboard-dark")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_the_plugin_can_be_disabled_and_enabled(stack):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    browser.get(base + "/plugins")
    panel = "//div[@data-plugin='discord-rich-presence']"
    assert "loaded" in browser.find_element(By.XPATH, panel).text
    screenshot(browser, "04-plugins")
    browser.find_element(By.XPATH, panel + "//form[contains(@action,'/disable')]/button").click()
    wait_for(lambda: "disabled" in text_of(browser, panel), "the plugin disabled")
    # Disabling closes its gateway connection: the simulated Discord shows nothing, nor does the console.
    wait_for(lambda: simulator_presence(stack) is None, "the presence cleared")
    session = browser.get_cookie("tonearm_session")["value"]
    dashboard = json.loads(http(base, "/api/console/dashboard", headers={"Cookie": f"tonearm_session={session}"})[2])
    assert dashboard["presence"] == []
    browser.find_element(By.XPATH, panel + "//form[contains(@action,'/enable')]/button").click()
    wait_for(lambda: "loaded" in text_of(browser, panel), "the plugin loaded again")
    browser.get(base + "/plugins/discord-rich-presence")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "websocket" in page and "Permissions" in page
    screenshot(browser, "05-plugin")
    browser.get(base + "/logs?plugin=discord-rich-presence&level=info")
    wait_for(lambda: "plugin loaded" in text_of(browser, "//table"), "the plugin's log lines")
    screenshot(browser, "06-logs")


def test_a_plugin_without_a_settings_schema_gets_its_users_on_its_page(stack, conformance_ndp):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    browser.get(base + "/plugins")
    browser.find_element(By.ID, "upload-file").send_keys(str(conformance_ndp))
    browser.find_element(By.CSS_SELECTOR, "form#upload button").click()
    wait_for(lambda: "/uploads/" in browser.current_url and browser.find_elements(By.ID, "install"), "the review page")
    browser.find_element(By.ID, "install").click()
    panel = "//div[@data-plugin='pdk-conformance']"
    wait_for(lambda: "no users are assigned" in text_of(browser, panel), "the plugin waiting for users")
    browser.get(base + "/plugins/pdk-conformance")
    assert "no settings schema" in text_of(browser, "//main")
    users = browser.find_element(By.NAME, "access.users")
    users.send_keys("alice")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/settings'] button[type=submit]").click()
    wait_for(lambda: "saved and reloaded" in text_of(browser, "//main"), "the users assigned")
    stored = json.loads((stack["folder"] / "data" / "console-settings.json").read_text())
    assert stored["plugins"]["pdk-conformance"] == {
        "options": {"allUsers": False, "allowAdmins": False, "extraHosts": [], "users": ["alice"]}, "settings": {}}
    browser.get(base + "/plugins/pdk-conformance/remove")
    browser.find_element(By.ID, "remove").click()
    wait_for(lambda: "pdk-conformance removed" in text_of(browser, "//main"), "the removal")


def test_a_plugin_is_uploaded_reviewed_installed_and_removed(stack, minimal_ndp):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    browser.get(base + "/plugins")
    browser.find_element(By.ID, "upload-file").send_keys(str(minimal_ndp))
    browser.find_element(By.CSS_SELECTOR, "form#upload button").click()
    wait_for(lambda: "/uploads/" in browser.current_url and "Install" in text_of(browser, "//h1"), "the review page")
    screenshot(browser, "10-upload-review")
    browser.find_element(By.ID, "install").click()
    minimal = "//div[@data-plugin='minimal']"
    # It asks for the users permission and nobody is assigned yet: installed, not started.
    wait_for(lambda: "no users are assigned" in text_of(browser, minimal), "the uploaded plugin waiting for users")
    assert (stack["folder"] / "plugins" / "minimal.ndp").exists()
    browser.get(base + "/plugins/minimal")
    users = browser.find_element(By.NAME, "access.users")
    users.clear()
    users.send_keys("alice")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/settings'] button[type=submit]").click()
    wait_for(lambda: "saved and reloaded" in text_of(browser, "//main"), "the users assigned")
    browser.get(base + "/plugins")
    assert "loaded" in text_of(browser, minimal)

    # The same id again: the review shows that it replaces the installed one; cancelled here.
    discord = ensure_built(ROOT / "Plugins" / "discord-rich-presence")
    browser.find_element(By.ID, "upload-file").send_keys(str(discord))
    browser.find_element(By.CSS_SELECTOR, "form#upload button").click()
    wait_for(lambda: "Replaces the installed" in text_of(browser, "//main"), "the replacement review")
    assert "permissions unchanged" in text_of(browser, "//ul[@class='changes']")
    browser.find_element(By.XPATH, "//form[contains(@action,'/discard')]/button").click()
    wait_for(lambda: browser.current_url.endswith("/plugins"), "back on the plugins page")

    # Not a plugin: refused with the reason, nothing installed.
    bad = stack["folder"] / "not-a-plugin.ndp"
    bad.write_bytes(b"PK\x05\x06" + bytes(18))
    browser.find_element(By.ID, "upload-file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "form#upload button").click()
    wait_for(lambda: "/uploads/" in browser.current_url, "the review of a broken package")
    assert browser.find_elements(By.ID, "install") == []
    assert "manifest.json" in text_of(browser, "//main")

    browser.get(base + "/plugins/minimal/remove")
    browser.find_element(By.ID, "remove").click()
    wait_for(lambda: "minimal removed" in text_of(browser, "//main"), "the removal")
    assert not (stack["folder"] / "plugins" / "minimal.ndp").exists()
    assert list((stack["folder"] / "data" / "removed-plugins").glob("minimal-*.ndp"))


def test_settings_saved_in_the_form_reach_the_plugin_without_a_restart(stack):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    browser.get(base + "/plugins/discord-rich-presence")
    token_field = browser.find_element(By.NAME, "users[0].token")
    assert token_field.get_attribute("type") == "password" and token_field.get_attribute("value") == ""
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})",
                           browser.find_element(By.CSS_SELECTOR, "form[action$='/settings']"))
    screenshot(browser, "07-settings")
    Select(browser.find_element(By.NAME, "activityname")).select_by_value("Track")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/settings'] button[type=submit]").click()
    wait_for(lambda: "saved and reloaded" in text_of(browser, "//main"), "the settings saved")
    play(base, "Harder, Better, Faster, Stronger")
    wait_for(lambda: (simulator_presence(stack) or {}).get("activities", [{}])[0].get("name")
             == "Harder, Better, Faster, Stronger", "an activity named after the track at the simulator")
    stored = json.loads((stack["folder"] / "data" / "console-settings.json").read_text())
    settings = stored["plugins"]["discord-rich-presence"]["settings"]
    assert settings["activityname"] == "Track"
    assert settings["users"][0]["token"] == DISCORD_TOKEN  # kept, though the form never showed it


def test_an_invalid_client_id_is_refused_next_to_its_field(stack):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    browser.get(base + "/plugins/discord-rich-presence")
    field = browser.find_element(By.NAME, "clientid")
    field.clear()
    field.send_keys("not-a-number")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/settings'] button[type=submit]").click()
    wait_for(lambda: "Nothing was saved" in text_of(browser, "//main"), "the refusal")
    container = browser.find_element(By.NAME, "clientid").find_element(By.XPATH, "./ancestor::*[contains(@class,'field')][1]")
    assert "pattern" in container.text or "characters" in container.text, container.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", container)
    screenshot(browser, "08-settings-error")
    stored = json.loads((stack["folder"] / "data" / "console-settings.json").read_text())
    settings = stored["plugins"].get("discord-rich-presence", {}).get("settings", {})
    assert settings.get("clientid") != "not-a-number"


def test_no_page_or_api_answer_holds_a_secret(stack):
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    play(base, "Digital Love")
    wait_for(lambda: "Digital Love" in text_of(browser, "//*[@id='live']"), "the second track")
    session = browser.get_cookie("tonearm_session")["value"]
    for path in ("/", "/plugins", "/plugins/discord-rich-presence", "/logs", "/console/fragments/live",
                 "/api/console/session", "/api/console/dashboard", "/api/console/plugins", "/api/console/logs",
                 "/api/status", "/signin"):
        status, _, text = http(base, path, headers={"Cookie": f"tonearm_session={session}"})
        assert status in (200, 303), (path, status)
        for secret in (DISCORD_TOKEN, ADMIN_TOKEN, LISTENBRAINZ_TOKEN):
            assert secret not in text, f"{path} shows a secret"
    for path in ("/", "/plugins/discord-rich-presence", "/logs"):
        browser.get(base + path)
        for secret in (DISCORD_TOKEN, ADMIN_TOKEN, LISTENBRAINZ_TOKEN):
            assert secret not in browser.page_source, f"{path} shows a secret in the browser"
    log = (stack["folder"] / "serve.log").read_text()
    assert DISCORD_TOKEN not in log and ADMIN_TOKEN not in log


def test_a_refused_token_shows_on_the_card(stack):
    """Last in this module: after it the plugin no longer connects for alice (until reloaded)."""
    base, browser = stack["base"], stack["browser"]
    sign_in(browser, base)
    play(base, "Voyager")
    card = "//div[contains(@class,'presence') and @data-user='alice']/.."
    wait_for(lambda: "connected" in text_of(browser, card), "alice connected")
    request = urllib.request.Request(stack["simulator"] + "/_simulator/users/alice/faults", method="POST",
                                     data=json.dumps({"fault": "close", "code": 4004}).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()
    wait_for(lambda: "Discord refused the token (4004)" in text_of(browser, card), "the stopped state on the card")
    screenshot(browser, "11-refused-token")


def test_the_demo_shows_a_live_presence_without_any_account(stack, tonearm, tmp_path):  # noqa: F811
    browser = stack["browser"]
    port = free_port()
    (tmp_path / "tonearm.toml").write_text(f'[Server]\nAddress = "127.0.0.1"\nPort = {port}\n')
    log = open(tmp_path / "demo.log", "wb")
    demo = subprocess.Popen([str(tonearm), "serve", "--demo", "--config", str(tmp_path / "tonearm.toml")], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def answers():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            return _answers(base)

        wait_for(answers, "the demo to answer")
        browser.delete_all_cookies()
        browser.get(base + "/")
        browser.find_element(By.ID, "demo").click()
        card = "//div[contains(@class,'presence') and @data-user='demo']"
        wait_for(lambda: "Harbour Lights" in text_of(browser, card), "the demo's presence card", timeout=60)
        screenshot(browser, "09-demo")
        # Nothing of the working directory's data was used or made.
        assert not (ROOT / "data" / "console-settings.json").exists()
    finally:
        stop(demo)
        log.close()
    assert "stopped" in (tmp_path / "demo.log").read_text()
