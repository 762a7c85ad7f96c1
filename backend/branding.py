"""How a page or an e-mail is dressed: the brand's name, logo, cover image and two colours.

The campaign's branding makes one (`ambassadors.recruitment.branding.brand_of`); pages and e-mails
without a campaign wear Soirée's own. Templates read it as `brand` (the context processor
`ambassadors.portal.context_processors.brand`): base.html links `brand.stylesheet_url`, a tiny
stylesheet that sets the CSS custom properties `--brand-primary` and `--brand-accent` (a file of our
own origin, so the Content-Security-Policy needs no inline style); e-mails colour their layout with it.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

DEFAULT_PRIMARY_COLOUR = "#3b1f4a"
DEFAULT_ACCENT_COLOUR = "#f0a500"
# The stylesheet's address names its two colours: `/brand/3b1f4a-f0a500.css` (see `brand_stylesheet`).
STYLESHEET_ROUTE = r"^brand/(?P<primary>[0-9a-f]{6})-(?P<accent>[0-9a-f]{6})\.css\Z"


@dataclass(frozen=True)
class Brand:
    name: str = "Soirée"
    primary_colour: str = DEFAULT_PRIMARY_COLOUR  # `#` and six hexadecimal digits
    accent_colour: str = DEFAULT_ACCENT_COLOUR
    logo_url: str = ""
    cover_image_url: str = ""

    @property
    def stylesheet_url(self) -> str:
        return reverse(
            "brand-stylesheet",
            kwargs={"primary": self.primary_colour[1:].lower(), "accent": self.accent_colour[1:].lower()},
        )


# The brand's images fit a phone whatever size marketing uploaded (the logo in the header, the cover
# at the top of the campaign and guest pages).
IMAGE_RULES = (
    ".brand-logo { display: block; height: 2rem; width: auto; max-width: 60vw; object-fit: contain; }\n"
    ".brand-cover { display: block; width: 100%; height: auto; max-height: 16rem; object-fit: cover;"
    " margin: 0 0 1rem; border-radius: var(--radius, .5rem); }\n"
)


@require_safe
def brand_stylesheet(request: HttpRequest, primary: str, accent: str) -> HttpResponse:
    """The custom properties of one pair of colours (the route admits hexadecimal digits only); the
    same address always holds the same sheet, so it is cached for good."""
    response = HttpResponse(
        f":root {{ --brand-primary: #{primary}; --brand-accent: #{accent}; }}\n{IMAGE_RULES}",
        content_type="text/css; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
