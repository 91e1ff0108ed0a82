"""What each command shows: reports rendered with rich (loaded only when a command renders).

One module per command; a command module imports its view inside the command's body, so
``jobping --help`` never imports rich.
"""

__all__: list[str] = []
