from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import serializers

from .models import ApiToken

User = get_user_model()
MAX_PASSWORD_LENGTH = 128  # characters: hashing a megabyte-long password is a cheap DoS


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=MAX_PASSWORD_LENGTH
    )


class SignupSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150,
        validators=User._meta.get_field("username").validators,
        help_text="letters, digits and @ . + - _ only",
    )
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=MAX_PASSWORD_LENGTH,
        help_text="at least PASSWORD_MIN_LENGTH characters, not common, not all digits",
    )


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff"]
        read_only_fields = fields


class UserResponseSerializer(serializers.Serializer):
    user = UserSerializer()


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="what the token is for")
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_TTL_DAYS,
        help_text=f"default {settings.API_TOKEN_TTL_DAYS}",
    )
    username = serializers.CharField(
        required=False, max_length=150, help_text="with password: sign in without a session"
    )
    password = serializers.CharField(
        required=False,
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=MAX_PASSWORD_LENGTH,
    )

    def validate(self, attrs):
        if ("username" in attrs) != ("password" in attrs):
            missing = "password" if "username" in attrs else "username"
            raise serializers.ValidationError({missing: "give both username and password."})
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "token_key", "created", "expiry"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="send as 'Authorization: Token <token>'; shown once")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
