"""The shop's tables as SQLAlchemy models; `python models.py` makes them (database.setup).

Customers are looked up by e-mail, so `customers.email` has an index. With WORK_INJECT=index the
model has none (the change "a dropped index on the looked-up column"); the setup command stays the
same in every variant, as a migration command does, so the stack's work.dataHash does too.
"""

import os
from decimal import Decimal

from sqlalchemy import URL, ForeignKey, Numeric, String, create_engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

INJECT = os.environ.get("WORK_INJECT", "")


def database_url() -> URL:
    """DATABASE_URL (libpq's postgresql://…) for psycopg2: SQLAlchemy 2.1 would take psycopg 3 for it."""
    return make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg2")


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(64), index=INJECT != "index")
    name: Mapped[str] = mapped_column(String(64))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    product: Mapped[Product] = relationship()


if __name__ == "__main__":
    engine = create_engine(database_url())
    Base.metadata.create_all(engine)
    engine.dispose()
