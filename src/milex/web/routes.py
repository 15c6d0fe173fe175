"""The JSON API: one route per API function, answering with the result's JSON envelope."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
