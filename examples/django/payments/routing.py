from channels.routing import URLRouter
from django.urls import path

from .consumers import AccountMovementsConsumer

websocket_application = URLRouter([
    path('ws/accounts/<int:account_id>/', AccountMovementsConsumer.as_asgi()),
])
