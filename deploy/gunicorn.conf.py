"""gunicorn for the portal behind nginx (deploy/nginx/portal.conf); the HTTPS test tier runs this file.

    gunicorn -c deploy/gunicorn.conf.py 'portal.app:create_app()'

Threaded workers (gthread), not sync: a sync worker tells the master it is alive only between requests,
so a Secure Share download longer than `timeout` (a 2 GB file to a phone) would be killed half way.
PORTAL_BIND, WEB_CONCURRENCY and PORTAL_THREADS override the defaults below (gunicorn's own
--bind/--workers on the command line override them all).
"""
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_THREADS", "4"))
# A worker that stops answering its master for this long is restarted; requests themselves may run longer.
timeout = 60
graceful_timeout = 30
# Longer than nginx's upstream keepalive (60 s), so gunicorn never closes a connection nginx is reusing.
keepalive = 75
# The portal logs every request itself, with a request id and without personal data (query strings carry
# search words and tokens): gunicorn's access log would repeat it with them.
accesslog = None
errorlog = "-"
# One master per host: gunicorn 27's control socket would otherwise be shared by every instance.
control_socket_disable = True
