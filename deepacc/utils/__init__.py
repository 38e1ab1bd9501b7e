from .path import get_config_path, get_tool_path

__all__ = ['get_config_path', 'get_tool_path']
