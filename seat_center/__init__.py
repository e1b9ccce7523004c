"""seat-center: the hotline center that sub-centers' consoles sync with."""
