"""Pages for the call for talks, by flow: the ideas board (`ideas`), proposals and their
co-speakers (`proposals`), the audience vote (`voting`), the organisers' review and settings
(`review`), an event's line-up (`lineup`) and the speaker's own profile (`speaker`).

Thin views: forms validate shape, `cfp.services` enforces the rules (`cfp.rules`),
`cfp.selectors` reads. htmx requests get the page's partial (422 when a form is invalid, the
refusal's status when a service says no); the same URLs work as plain forms and links without
JavaScript. A refusal a view does not show in place is answered by `portal.refusals`.
"""
