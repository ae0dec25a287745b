from django.urls import path

from study.views import test

urlpatterns = [path("test", test)]
