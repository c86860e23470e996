"""Write docs/review-article.png and docs/review-canonical.png: the review of the seeds in
the system Chromium, as the browser tests drive it (``make screenshots``)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from browser import browser_problem, chromium

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from toolkit.review.site import build_review  # noqa: E402

ARTICLE = "004_10177aab37503ad3"
RECORD = "agr-004-rare-earths-joint-exploration"


def main() -> int:
    problem = browser_problem()
    if problem:
        print(f"no screenshots: {problem}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as out, chromium(1280, 760) as browser:
        build_review(REPO, out)
        page = browser.new_page()
        page.goto((Path(out) / "articles" / f"{ARTICLE}.html").as_uri())
        page.locator("#records [role=option]", has_text=RECORD).click()
        page.locator("#text .seg.sel").first.click()  # its passage's records, listed
        page.locator("#records [role=option]", has_text=RECORD).click()
        page.screenshot(path=str(REPO / "docs" / "review-article.png"))
        page.goto((Path(out) / "canonical.html").as_uri())
        page.locator("section.canon.conflict").first.scroll_into_view_if_needed()
        page.evaluate("document.querySelector('section.canon.conflict').scrollIntoView()")
        page.screenshot(path=str(REPO / "docs" / "review-canonical.png"))
    print("wrote docs/review-article.png and docs/review-canonical.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
