"""The ORM endpoints on django-ninja (sync views, as usually deployed on WSGI)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from ninja import ModelSchema, NinjaAPI

from bench.orm.models import Article
from bench.orm.schemas import FIELDS

api = NinjaAPI(docs_url=None)


class ArticleOut(ModelSchema):
    class Meta:
        model = Article
        fields = FIELDS


@api.get("/articles", response=list[ArticleOut])
def list_articles(request):
    return Article.objects.all()


@api.get("/articles/{article_id}", response=ArticleOut)
def get_article(request, article_id: int):
    return get_object_or_404(Article, id=article_id)


urlpatterns = [path("", api.urls)]
