"""Drives headless Chromium (Debian's, through Playwright) to call gateways
with `fetch` from pages on other loopback origins, for tests/cors.rs.

Reads one JSON object on stdin:
  {"chromium": "/usr/bin/chromium",
   "cookies": [{"name": ..., "value": ..., "url": ...}],
   "cases": [{"name": ..., "page": "http://127.0.0.1:P/", "url": ...,
              "init": {fetch options}, "headers": ["x-a", ...]}]}
and prints one JSON object: {"results": {name: outcome}}, where an outcome
is {"ok": true, "status": N, "body": "...", "headers": {name: value|null}}
or {"ok": false, "error": "TypeError: Failed to fetch"} when the browser
refused the response. The test asserts; this script only reports.
Exits non-zero with a message on stderr when Playwright or Chromium is missing.
"""

import json
import os
import sys

FETCH = """
async ([url, init, names]) => {
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    const headers = {};
    for (const name of names) headers[name] = response.headers.get(name);
    return {ok: true, status: response.status, body, headers};
  } catch (error) {
    return {ok: false, error: `${error.name}: ${error.message}`};
  }
}
"""


def main():
    spec = json.load(sys.stdin)
    chromium = spec["chromium"]
    if not os.access(chromium, os.X_OK):
        sys.exit(
            f"Chromium is missing at {chromium}: install Debian's `chromium` "
            "(apt-get install -y chromium; scripts/test.sh does)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        sys.exit(
            f"Playwright is missing ({error}): install scripts/requirements-test.txt "
            "into the venv PORTCULLIS_PYTHON names (scripts/test.sh does)"
        )
    results = {}
    with sync_playwright() as playwright:
        # Debian's build, never a downloaded one; Playwright passes
        # --no-sandbox by default, which running as root needs.
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        try:
            context = browser.new_context()
            if spec.get("cookies"):
                context.add_cookies(spec["cookies"])
            page = context.new_page()
            page.set_default_timeout(20_000)
            at = None
            for case in spec["cases"]:
                if case["page"] != at:
                    page.goto(case["page"])
                    at = case["page"]
                results[case["name"]] = page.evaluate(
                    FETCH, [case["url"], case.get("init", {}), case.get("headers", [])]
                )
        finally:
            browser.close()
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
