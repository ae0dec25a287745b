from django.db import models


class Row(models.Model):
    """The study's table `test (a int primary key, b text)`, made by this app's migration."""

    a = models.IntegerField(primary_key=True)
    b = models.TextField()

    class Meta:
        db_table = "test"
