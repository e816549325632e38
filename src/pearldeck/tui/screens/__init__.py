"""The app's screens: review, home, add, browse, stats and the problems screen."""
