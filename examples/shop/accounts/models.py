from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    nickname = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    def __str__(self):
        return self.nickname or str(self.user)
