"""The dashboard in headless Chromium, over a small demo shop that real `ingestion`, `identity` and `segmentation`
processes took in (scripts/test-clients sends it with `kinship demo send` and writes its ground truth).

- signing in with an API key through the form; every page rendering with the shop's data and no console
  errors (a Content-Security-Policy violation is one), screenshotted at desktop and phone widths;
- people: a sampled customer found by e-mail, their page without their clear e-mail for an analyst and with
  it for an admin;
- the segment editor: its live preview shows a size on load and another as the definition is edited, equal
  to what the ground truth counts;
- a form posted with a forged CSRF token is refused.

Screenshots go to KINSHIP_SCREENSHOT_DIR for a person to look at. Run by scripts/test-clients with
KINSHIP_REPORTING_URL, KINSHIP_DASHBOARD_TRUTH (the truth file), KINSHIP_DASHBOARD_ANALYST_KEY,
KINSHIP_DASHBOARD_ADMIN_KEY, KINSHIP_DASHBOARD_VIEWER_KEY and KINSHIP_SCREENSHOT_DIR.
"""
import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from checks import Checks, environment

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

reporting = environment("KINSHIP_REPORTING_URL").rstrip("/")
truth = json.load(open(environment("KINSHIP_DASHBOARD_TRUTH")))
keys = {role: environment(f"KINSHIP_DASHBOARD_{role.upper()}_KEY") for role in ("admin", "analyst", "viewer")}
screenshots = environment("KINSHIP_SCREENSHOT_DIR")
os.makedirs(screenshots, exist_ok=True)

checks = Checks("the dashboard in headless Chromium")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def api(path, key, data=None):
    """The public API's answer (status, parsed JSON or text)."""
    request = urllib.request.Request(reporting + path, data=data, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def wait_for(what, condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    checks.expect(False, what, f"not within {seconds} s")
    return None


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=th-TH"):
        options.add_argument(flag)
    # Headless Chromium sends the Accept-Language of this preference, not of --lang.
    options.add_experimental_option("prefs", {"intl.accept_languages": "th-TH,th,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_window_size(*WIDTHS["desktop"])
    return driver


def console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def sign_in(driver, key):
    driver.get(reporting + "/dashboard/sign-in?lang=en")
    driver.find_element(By.NAME, "api_key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button").click()
    WebDriverWait(driver, 20).until(lambda d: "/dashboard/sign-in" not in d.current_url)


def visit(driver, name, path, expect_text=None):
    """Opens a page, checks it, and screenshots it at both widths."""
    started = time.monotonic()
    driver.get(reporting + path)
    seconds = time.monotonic() - started
    source = driver.page_source
    ok = driver.title.startswith("Kinship") and "internal_error" not in source and (expect_text is None or expect_text in source)
    checks.expect(ok, f"{name} renders", lambda: source[:500])
    checks.expect(seconds < 5, f"{name} loads within 5 s", f"{seconds:.1f} s")
    errors = console_errors(driver)
    checks.expect(not errors, f"{name} logs no console error", "\n".join(errors))
    for label, size in WIDTHS.items():
        driver.set_window_size(*size)
        driver.save_screenshot(os.path.join(screenshots, f"{name}-{label}.png"))
    driver.set_window_size(*WIDTHS["desktop"])
    return source


# ---- the shop has arrived: stored, resolved and evaluated --------------------------------------------------

people = [p for p in truth["people"] if p.get("emails") and p.get("messages", 0) > 0 and not p.get("sharedAnonymousId")]
sample = people[len(people) // 2]
email = sample["emails"][0].strip().lower()
query = urllib.parse.urlencode({"identifier_type": "email", "identifier_value": email})
view = wait_for("the sampled customer's profile is resolved and evaluated",
                lambda: (lambda answer: answer[1] if answer[0] == 200 and answer[1].get("computed") else None)(
                    api(f"/v1/profiles?{query}", keys["admin"])))
if view is None:
    checks.finish()
profile = view["profile"]["profileId"]

# What the editor's two definitions must count, from the truth: people with at least one, and at least two, orders.
# People on a shared family computer may hold a housemate's orders, so the count may exceed the others' by their number.
def orders_range(minimum):
    active = [p for p in truth["people"] if p.get("messages", 0) > 0]
    alone = sum(1 for p in active if not p.get("sharedAnonymousId") and p.get("orderCount", 0) >= minimum)
    return alone, alone + sum(1 for p in active if p.get("sharedAnonymousId"))


def within(value, bounds):
    return bounds[0] <= int(value) <= bounds[1]

driver = browser()
try:
    sign_in(driver, keys["analyst"])
    checks.expect("/dashboard" in driver.current_url, "an analyst signs in with the form", driver.current_url)
    cookie = driver.get_cookie("kinship_session") or {}
    checks.expect(cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict", cookie)

    overview = visit(driver, "overview", "/dashboard")
    checks.expect("ภาพรวม" in overview, "a Thai browser gets Thai labels")
    for report in ("funnel", "retention", "rfm", "nps", "email", "channels", "cart-abandonment", "support", "demographics", "trends", "data-map"):
        visit(driver, f"report-{report}", f"/dashboard/reports/{report}?lang=en", expect_text="<table")
    visit(driver, "segments", "/dashboard/segments?lang=en")

    # People: found by e-mail, shown without it.
    found = visit(driver, "people-search", "/dashboard/people?lang=en&" + urllib.parse.urlencode({"q": sample["emails"][0]}))
    checks.expect(f"/dashboard/people/{profile}" in found, "the sampled customer is found by e-mail")
    person = visit(driver, "person-analyst", f"/dashboard/people/{profile}?lang=en")
    checks.expect(not EMAIL.search(person), "an analyst's person page holds no e-mail address in clear",
                  lambda: EMAIL.search(person).group(0))
    checks.expect("/unmerge" not in person, "an analyst has no unmerge button")

    # The editor's live preview: a size on load, another as the definition changes, each as the truth counts.
    visit(driver, "segment-editor", "/dashboard/segments/new?lang=en")
    size = lambda: driver.find_element(By.ID, "preview-size").text.replace(",", "")
    two = WebDriverWait(driver, 30).until(lambda d: size() if size().isdigit() else None)
    checks.expect(within(two, orders_range(2)), "the preview counts the customers with two or more orders on load",
                  f"preview {two}, truth {orders_range(2)}")
    area = driver.find_element(By.NAME, "definition")
    area.clear()
    area.send_keys('{"computed": "order_count", "op": "gte", "value": 1}')
    one = WebDriverWait(driver, 30).until(lambda d: size() if size().isdigit() and size() != two else None)
    checks.expect(within(one, orders_range(1)), "the preview follows the edited definition",
                  f"preview {one}, truth {orders_range(1)}")
    errors = console_errors(driver)
    checks.expect(not errors, "the editor's script ran without a console error", "\n".join(errors))
    for label, size_px in WIDTHS.items():
        driver.set_window_size(*size_px)
        driver.save_screenshot(os.path.join(screenshots, f"segment-editor-preview-{label}.png"))
    driver.set_window_size(*WIDTHS["desktop"])

    # A form another page made, without the session's CSRF token, is refused.
    driver.execute_script("""
        const form = document.createElement('form');
        form.method = 'post'; form.action = '/dashboard/segments';
        for (const [name, value] of [['csrf', 'kc_forged'], ['name', 'forged'], ['definition', '{}']]) {
            const input = document.createElement('input'); input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
    """)
    WebDriverWait(driver, 20).until(lambda d: "forbidden" in d.page_source or "/segments/" in d.current_url)
    checks.expect("forbidden" in driver.page_source, "a forged form is refused (403)", driver.page_source[:300])
finally:
    driver.quit()

driver = browser()
try:
    sign_in(driver, keys["admin"])
    person = visit(driver, "person-admin", f"/dashboard/people/{profile}?lang=en")
    checks.expect(email in person.lower(), "an admin sees the customer's e-mail in clear")
    checks.expect("/unmerge" in person, "and has an unmerge button per identifier")
finally:
    driver.quit()

driver = browser()
try:
    sign_in(driver, keys["viewer"])
    overview = visit(driver, "overview-viewer", "/dashboard?lang=en")
    checks.expect("/dashboard/people" not in overview, "a viewer has no link to people")
    driver.get(reporting + f"/dashboard/people/{profile}?lang=en")
    checks.expect("forbidden" in driver.page_source and not EMAIL.search(driver.page_source), "and sees no person")
finally:
    driver.quit()

checks.note(f"screenshots in {screenshots}")
checks.finish()
