"""Public facade: authentication backends and guards.

``from bolt.auth import JWTAuthentication, IsAuthenticated, get_current_user, ...``. The
auth plugin (who is calling) and the guards plugin (whether they may proceed) implement
them; each name is imported from the module on its right when first used, so importing this
module loads neither plugin.
"""

from bolt._facade import lazy_exports as _lazy_exports

_PLUGIN_EXPORTS = {
    "APIKeyAuthentication": "bolt_plugins.auth",
    "JWTAuthentication": "bolt_plugins.auth",
    "SessionAuthentication": "bolt_plugins.auth",
    "create_jwt_for_user": "bolt_plugins.auth",
    "acreate_jwt_for_user": "bolt_plugins.auth",
    "get_current_user": "bolt_plugins.auth",
    "AllowAny": "bolt_plugins.guards",
    "BaseGuard": "bolt_plugins.guards",
    "check_object_permissions": "bolt_plugins.guards",
    "HasAllPermissions": "bolt_plugins.guards",
    "HasAnyPermission": "bolt_plugins.guards",
    "HasPermission": "bolt_plugins.guards",
    "IsAdminUser": "bolt_plugins.guards",
    "IsAuthenticated": "bolt_plugins.guards",
    "IsAuthenticatedOrReadOnly": "bolt_plugins.guards",
    "IsStaff": "bolt_plugins.guards",
}

__all__ = [*_PLUGIN_EXPORTS]
__getattr__, __dir__ = _lazy_exports(__name__, _PLUGIN_EXPORTS)
