<?xml version="1.0" encoding="UTF-8"?>
<!--
  The classic OutSystems Factory Configuration stylesheet (shared configuration of kind
  web.config_XSL), as the hardening guides publish it: an identity template plus a template that
  copies /configuration/system.webServer/httpProtocol/customHeaders and appends the headers.

  Known limitations, kept on purpose because this is the stylesheet people actually run (use
  `webxsl generate` for one without them):
  - it does nothing when <customHeaders>, <httpProtocol> or <system.webServer> is missing;
  - it does nothing inside <location> sections or when <configuration> has a default namespace;
  - it is not idempotent: an existing X-Frame-Options gets a second one (IIS then answers 500.19);
  - X-XSS-Protection "1; mode=block" is deprecated, and several Permissions-Policy features in
    the list are retired or were never shipped by browsers.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="yes"/>

  <!-- Identity: copy everything as it is. -->
  <xsl:template match="@*|node()">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
    </xsl:copy>
  </xsl:template>

  <!-- Append the security headers to the existing customHeaders collection. -->
  <xsl:template match="/configuration/system.webServer/httpProtocol/customHeaders">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <add name="X-Frame-Options" value="SAMEORIGIN"/>
      <add name="X-XSS-Protection" value="1; mode=block"/>
      <add name="Referrer-Policy" value="no-referrer"/>
      <add name="Permissions-Policy" value="accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), cross-origin-isolated=(), display-capture=(), document-domain=(), encrypted-media=(), execution-while-not-rendered=(), execution-while-out-of-viewport=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), navigation-override=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), speaker-selection=(), conversion-measurement=(), focus-without-user-activation=(), hid=(), idle-detection=(), interest-cohort=(), serial=(), sync-script=(), trust-token-redemption=(), unload=(), window-placement=(), vertical-scroll=()"/>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
