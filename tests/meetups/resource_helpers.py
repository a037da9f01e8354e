"""Shared set-up for the talk resources tests: a tiny generated PDF and a talk with people."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_event, make_group, make_speaker, make_talk, make_user

# The smallest PDF-shaped file worth the name: a header, an empty page tree, the end marker.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(
    name: str = "My slides.pdf", content: bytes = TINY_PDF, content_type="application/pdf"
):
    return SimpleUploadedFile(name, content, content_type=content_type)


def talk_world(slug: str = "the-talk", **event_fields) -> dict:
    """A talk with a speaker who has an account, its group's organiser, a member of the public
    and an organiser of another group."""
    organiser = make_user()
    speaker_user = make_user()
    member = make_user()
    other_organiser = make_user()
    group = make_group(owner=organiser)
    make_group(owner=other_organiser)
    event = make_event(group=group, **event_fields)
    talk = make_talk(event=event, slug=slug, speakers=[make_speaker(user=speaker_user)])
    return {
        "talk": talk,
        "event": event,
        "organiser": organiser,
        "speaker": speaker_user,
        "member": member,
        "other_organiser": other_organiser,
    }
