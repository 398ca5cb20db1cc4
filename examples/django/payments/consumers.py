"""A WebSocket that shows an account's movements, pushed by the feed worker (payments.feed)
only once they committed. The URL names the account: ws/accounts/<id>/."""
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .feed import group_of


class AccountMovementsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = group_of(self.scope['url_route']['kwargs']['account_id'])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def ledger_movement(self, event):
        await self.send_json(event['movement'])
