<?xml version="1.0" encoding="utf-8"?>
<!--
  msxsl-header-policy.xsl - a header policy written for .NET's XslCompiledTransform, as deployment
  tools on Windows run it: the policy is a result tree fragment read through msxsl:node-set
  (urn:schemas-microsoft-com:xslt), which libxslt does not implement, so xsltproc cannot run it.

  Each customHeaders collection (any namespace, any scope):
    * keeps its <clear/> and <remove> entries and gains a <remove> for each header the policy
      strips that it does not remove yet;
    * keeps its <add> entries, with the policy's value where the policy sets that header;
    * gains an <add> for each header of the policy it does not send;
    * starts with a comment saying the policy manages it.
  The result is re-indented (strip-space, indent="yes").

  Extensions: msxsl:node-set (no EXSLT).
  Inputs: samples/clear-and-remove/web.config only; its output is checked against
  msxsl-header-policy.expected, written by hand.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:msxsl="urn:schemas-microsoft-com:xslt"
    exclude-result-prefixes="msxsl">

  <xsl:output method="xml" encoding="utf-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="policy-rtf">
    <strip name="X-Powered-By"/>
    <strip name="X-AspNet-Version"/>
    <send name="X-Frame-Options" value="DENY"/>
    <send name="Referrer-Policy" value="no-referrer"/>
    <send name="X-Content-Type-Options" value="nosniff"/>
  </xsl:variable>
  <xsl:variable name="policy" select="msxsl:node-set($policy-rtf)"/>

  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="*[local-name() = 'customHeaders']">
    <xsl:variable name="ns" select="namespace-uri()"/>
    <xsl:variable name="entries" select="*"/>
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:comment> managed by the header policy </xsl:comment>
      <xsl:apply-templates select="*[local-name() = 'clear' or local-name() = 'remove']"/>
      <xsl:for-each select="$policy/strip[not(@name = $entries[local-name() = 'remove']/@name)]">
        <xsl:element name="remove" namespace="{$ns}">
          <xsl:copy-of select="@name"/>
        </xsl:element>
      </xsl:for-each>
      <xsl:for-each select="*[local-name() = 'add']">
        <xsl:variable name="override" select="$policy/send[@name = current()/@name]"/>
        <xsl:copy>
          <xsl:copy-of select="@*"/>
          <xsl:if test="$override">
            <xsl:attribute name="value">
              <xsl:value-of select="$override/@value"/>
            </xsl:attribute>
          </xsl:if>
        </xsl:copy>
      </xsl:for-each>
      <xsl:for-each select="$policy/send[not(@name = $entries[local-name() = 'add']/@name)]">
        <xsl:element name="add" namespace="{$ns}">
          <xsl:copy-of select="@name | @value"/>
        </xsl:element>
      </xsl:for-each>
    </xsl:copy>
  </xsl:template>

</xsl:stylesheet>
