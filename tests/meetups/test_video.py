import pytest

from meetups.video import privacy_embed_url


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=jeJmQazH3jA",
        "https://youtube.com/watch?v=jeJmQazH3jA&t=30s",
        "https://youtu.be/jeJmQazH3jA",
        "https://www.youtube.com/embed/jeJmQazH3jA?si=M5jw5a218OFz9Dxv",
        "https://m.youtube.com/watch?v=jeJmQazH3jA",
    ],
)
def test_privacy_embed_url_uses_nocookie_player_for_youtube(url):
    assert privacy_embed_url(url) == "https://www.youtube-nocookie.com/embed/jeJmQazH3jA"


@pytest.mark.parametrize(
    "url",
    [
        "https://vimeo.com/123456",
        "https://www.youtube.com/watch?v=short",
        "https://evil.example/watch?v=jeJmQazH3jA",
        'https://www.youtube.com/watch?v=jeJmQazH3jA"><script>',
        "",
        "not a url",
    ],
)
def test_privacy_embed_url_is_none_for_anything_else(url):
    assert privacy_embed_url(url) is None
