"""The built-in demo project."""

from ipsmap.demo.project import create_demo_project

__all__ = ["create_demo_project"]
