"""The production shape of the portal, as commands (`python -m deploy.stack up|down|...`).

`deploy/stack.py` brings up PostgreSQL, Redis, N daphne workers, the task worker and nginx
under one supervisord on this machine (everything on loopback, state under `var/serve/`);
`deploy/nginx/` and `deploy/systemd/` are the same shape for a real server. See docs/deploy.md.
"""
