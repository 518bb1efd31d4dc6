"""POST /api/auth/token/ with username and password returns {"token": "…"}; throttled per
address, and locked per account and address after failed logins like the admin's login form
(plans/login_limits.py)."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        from plans.login_limits import lockout_message

        super().__init__(lockout_message())


class TokenView(ObtainAuthToken):
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        description="用户名和密码换取令牌；之后以 `Authorization: Token <token>` 访问接口。",
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # django-axes refused the credentials (or counted the failure that locks them)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise
