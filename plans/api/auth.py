"""POST /api/auth/token/ with username and password returns {"token": "…"}; throttled."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class TokenView(ObtainAuthToken):
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        description="用户名和密码换取令牌；之后以 `Authorization: Token <token>` 访问接口。",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
