"""The ORM endpoints on Django REST framework: a ``ReadOnlyModelViewSet`` and a router."""

from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from bench.orm.models import Article
from bench.orm.schemas import FIELDS


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = FIELDS


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleSerializer


router = SimpleRouter(trailing_slash=False)
router.register("articles", ArticleViewSet)
urlpatterns = router.urls
