"""Talk feedback: ratings and comments from people who were in the room, private to the
speakers and the organisers."""
