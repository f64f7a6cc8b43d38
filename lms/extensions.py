"""Flask extensions, created unbound and initialised in create_app()."""

from flask import current_app
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .recycled_sessions import RecyclingSQLAlchemy

# Named constraints: Alembic can then alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = RecyclingSQLAlchemy(model_class=Base)  # Flask-SQLAlchemy, reusing closed sessions (lms/recycled_sessions.py)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Keyed by client address by default; sign-in also limits per account (see web/auth.py).
limiter = Limiter(key_func=get_remote_address)
cache = Cache()  # bound in lms/cache.py


def app_setting(name: str):
    """Return a setting of the app in context (services read settings here, never from flask directly)."""
    return current_app.config[name]
