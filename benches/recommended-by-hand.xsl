<?xml version="1.0" encoding="utf-8"?>
<!--
  What a team would write by hand to give samples/outsystems-module/web.config the headers of
  webxsl's `recommended` profile: an identity template and three templates that append. It is
  benches/compare.sh's yardstick for `apply - -profile recommended` on a small file (the script
  checks that both give the same bytes on that sample). Unlike the generated template it is
  neither idempotent nor safe on other configs: it is only a measure of the cost of a stylesheet.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="yes" encoding="utf-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/configuration/system.web">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <httpCookies requireSSL="true" httpOnlyCookies="true" sameSite="Lax"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/configuration/system.webServer/httpProtocol/customHeaders">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <remove name="X-Powered-By"/>
      <add name="Strict-Transport-Security" value="max-age=63072000; includeSubDomains"/>
      <add name="X-Content-Type-Options" value="nosniff"/>
      <add name="X-Frame-Options" value="DENY"/>
      <add name="Referrer-Policy" value="strict-origin-when-cross-origin"/>
      <add name="Cross-Origin-Opener-Policy" value="same-origin"/>
      <add name="Cross-Origin-Resource-Policy" value="same-origin"/>
      <add name="X-XSS-Protection" value="0"/>
      <add name="Content-Security-Policy" value="default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"/>
      <add name="Permissions-Policy" value="accelerometer=(), ambient-light-sensor=(), attribution-reporting=(), autoplay=(), battery=(), bluetooth=(), camera=(), compute-pressure=(), display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), hid=(), identity-credentials-get=(), idle-detection=(), keyboard-map=(), magnetometer=(), mediasession=(), microphone=(), midi=(), otp-credentials=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), window-management=(), xr-spatial-tracking=()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/configuration/system.webServer">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <security>
        <requestFiltering removeServerHeader="true"/>
      </security>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
