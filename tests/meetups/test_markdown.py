import pytest

from meetups.markdown import render_markdown

# Payloads from common XSS cheat sheets, plus htmx attributes that would make the page act.
XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<button hx-post="/admin/" hx-trigger="load">x</button>',
    '<div hx-get="/accounts/logout/" hx-trigger="load">x</div>',
    '<p data-hx-post="/x" hx-on:click="alert(1)">x</p>',
    '<form action="https://evil.example"><input name=q></form>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<scr<script>ipt>alert(1)</script>",
    '<img src="x" alt="" onerror="alert(1)" />',
    "![x](javascript:alert(1))",
]

FORBIDDEN = ["<script", "onerror", "onload", "ontoggle", "javascript:", "vbscript:",
             "hx-", "<iframe", "<form", "<object", "<embed", "<link", "<meta", "<base",
             "style=", "data:text/html", "<svg", "<button"]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_render_markdown_drops_xss_payload(payload):
    html = render_markdown(payload).lower()

    for needle in FORBIDDEN:
        assert needle not in html, f"{needle!r} survived in {html!r}"


def test_render_markdown_keeps_formatting_and_safe_links():
    html = render_markdown("## Agenda\n\n**Pizza** at [six](https://example.com/pizza)")

    assert html == (
        "<h2>Agenda</h2>\n<p><strong>Pizza</strong> at "
        '<a href="https://example.com/pizza" rel="noopener noreferrer nofollow">six</a></p>'
    )


def test_render_markdown_of_empty_text_is_empty():
    assert render_markdown("") == ""
