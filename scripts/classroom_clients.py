"""The four Python MediaWiki clients against `wikifetch serve`.

Run by scripts/classroom-clients.sh, which installs the libraries into a
throwaway virtual environment and starts the mock; the API URL is the only
argument. Each library is pointed at the mock with its own setting (its
documented module-level API address, or for wikipedia-api the httpx
transport its constructor takes) and used through its normal entry
points, none of its functions patched. Each answer is compared with what
the mock's wiki holds, read straight from the API with urllib.

Exit status: 0 when every check passed, 1 when one failed.
"""

import json
import re
import sys
import urllib.parse
import urllib.request

API = sys.argv[1]
PAGE = "Chess"
SEARCH = "python"
CHARS = 50
failures = []


def raw(**params):
    """What the mock's wiki holds: one GET, format version 2."""
    params.update(format="json", formatversion="2")
    url = API + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def extract(**params):
    answer = raw(action="query", prop="extracts", explaintext="1", titles=PAGE, **params)
    return answer["query"]["pages"][0]["extract"]


INTRO = extract(exintro="1")
SHORT = extract(exchars=str(CHARS))
WHOLE = extract()
SECTIONS = [m.group(2) for m in re.finditer(r"\n\n\n(==+) (.*?) \1\n", WHOLE)]
HITS = [h["title"] for h in raw(action="query", list="search", srsearch=SEARCH)["query"]["search"]]
assert INTRO.startswith(PAGE + " is the subject of sentence 1"), INTRO
assert SHORT.endswith("...") and len(SHORT) < CHARS + 20, SHORT
assert SECTIONS and HITS, (SECTIONS, HITS)


def check(library, what, got, want):
    ok = got == want
    print(f"{'ok  ' if ok else 'FAIL'} {library}: {what}")
    if not ok:
        failures.append(f"{library}: {what}: got {got!r}, want {want!r}")


def run(library, body):
    try:
        body()
    except Exception as e:  # a library failing is a failed check, named
        print(f"FAIL {library}: {type(e).__name__}: {e}")
        failures.append(f"{library}: {type(e).__name__}: {e}")


def with_wikipedia():
    import wikipedia

    # Its documented module-level API address (set_lang builds a
    # Wikipedia one from a language code).
    wikipedia.wikipedia.API_URL = API
    check("wikipedia", "summary", wikipedia.summary(PAGE, auto_suggest=False), INTRO)
    short = wikipedia.summary(PAGE, chars=CHARS, auto_suggest=False)
    check("wikipedia", f"summary(chars={CHARS})", short, SHORT)
    # wikipedia 1.4.0 asks action=parse for `titles`, a parameter ApiParse
    # does not read, so MediaWiki parses an empty text: no sections, on
    # Wikipedia as on the mock. The library's own bug, reproduced.
    check("wikipedia", "sections (none: its bug)", wikipedia.page(PAGE, auto_suggest=False).sections, [])
    check("wikipedia", "search", wikipedia.search(SEARCH), HITS)


def with_pymediawiki():
    from mediawiki import MediaWiki

    wiki = MediaWiki(url=API)
    check("pymediawiki", "summary", wiki.summary(PAGE, auto_suggest=False), INTRO)
    short = wiki.summary(PAGE, chars=CHARS, auto_suggest=False)
    check("pymediawiki", f"summary(chars={CHARS})", short, SHORT)
    check("pymediawiki", "sections", wiki.page(PAGE, auto_suggest=False).sections, SECTIONS)
    check("pymediawiki", "search", wiki.search(SEARCH), HITS)


def with_mwclient():
    import mwclient

    parts = urllib.parse.urlsplit(API)
    site = mwclient.Site(parts.netloc, path=parts.path.rsplit("/", 1)[0] + "/", scheme=parts.scheme)
    # mwclient has no summary of its own: the API call it exists for.
    def summary(**extra):
        answer = site.api("query", prop="extracts", explaintext=1, titles=PAGE, **extra)
        return next(iter(answer["query"]["pages"].values()))["extract"]

    check("mwclient", "summary", summary(exintro=1), INTRO)
    check("mwclient", f"summary(exchars={CHARS})", summary(exchars=CHARS), SHORT)
    sections = site.api("parse", page=PAGE, prop="sections")["parse"]["sections"]
    check("mwclient", "sections", [s["line"] for s in sections], SECTIONS)
    check("mwclient", "search", [h["title"] for h in site.search(SEARCH)], HITS)


def with_wikipedia_api():
    import httpx
    import wikipediaapi

    # wikipedia-api 0.16.0 builds its address from a language code
    # (https://{language}.wikipedia.org/w/api.php) and has no setting for
    # another one. Its constructor documents the httpx settings it passes
    # on, a custom `transport` among them: this one sends each request to
    # the mock's address instead, the query string untouched. No function
    # of the library is patched.
    class ToTheMock(httpx.BaseTransport):
        def __init__(self, api):
            self.api = httpx.URL(api)
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request):
            request.url = request.url.copy_with(
                scheme=self.api.scheme, host=self.api.host, port=self.api.port, path=self.api.path
            )
            return self.inner.handle_request(request)

    def wiki(**extra):
        return wikipediaapi.Wikipedia(
            user_agent="wikifetch classroom check (https://github.com/wikifetch/wikifetch)",
            language="en",
            extract_format=wikipediaapi.ExtractFormat.WIKI,
            transport=ToTheMock(API),
            **extra,
        )

    page = wiki().page(PAGE)
    check("wikipedia-api", "exists", page.exists(), True)
    check("wikipedia-api", "summary", page.summary, INTRO)
    # No character limit of its own: `extra_api_params`, its documented
    # setting for parameters it does not name, carries exchars.
    short = wiki(extra_api_params={"exchars": CHARS}).page(PAGE).summary
    check("wikipedia-api", f"summary(exchars={CHARS})", short, SHORT)

    def titles(sections):
        return [t for s in sections for t in [s.title] + titles(s.sections)]

    check("wikipedia-api", "sections", titles(page.sections), SECTIONS)
    found = wiki().search(SEARCH)
    check("wikipedia-api", "search", list(found.pages.keys()), HITS)


run("wikipedia", with_wikipedia)
run("pymediawiki", with_pymediawiki)
run("mwclient", with_mwclient)
run("wikipedia-api", with_wikipedia_api)

if failures:
    print(f"{len(failures)} check(s) failed:")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("every check passed")
