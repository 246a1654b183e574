import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
application = get_asgi_application()

# Django runs no system checks under an application server: refuse to serve without a payment
# gateway chosen (THUDO_PAYMENT_GATEWAY), as every management command does (check thudo.E001).
from thudo.dossiers.payments import refuse_to_start_without_gateway  # noqa: E402 - after setup

refuse_to_start_without_gateway()
