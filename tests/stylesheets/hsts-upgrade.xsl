<?xml version="1.0" encoding="utf-8"?>
<!--
  hsts-upgrade.xsl - brings Strict-Transport-Security up to the team's baseline, leaving the
  rest of the file as it is.

    * an existing HSTS header keeps its directives (any case, any spacing) but its max-age is
      raised to at least $min-age (math:max of the two), includeSubDomains is added, and preload
      when $preload is 'yes'; unknown directives are kept at the end;
    * a top-level customHeaders without HSTS gets one, lined up after its last entry;
    * a <remove name="Strict-Transport-Security"/> is left alone (someone meant it), but
      noted in a comment.
  The directives are read with str:tokenize on ';' and str:split on '=', and joined again with
  str:concat.

  EXSLT: str:tokenize, str:split, str:concat, str:replace, math:max, exsl:node-set.
  Parameters: min-age (seconds, default two years), preload ('yes' or 'no').
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:math="http://exslt.org/math"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="str math exsl">

  <xsl:output method="xml" encoding="utf-8"/>

  <xsl:param name="min-age" select="63072000"/>
  <xsl:param name="preload" select="'no'"/>

  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>

  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template name="upgrade">
    <xsl:param name="value"/>
    <xsl:variable name="directives-rtf">
      <xsl:for-each select="str:tokenize($value, ';')[normalize-space()]">
        <xsl:variable name="pair" select="str:split(normalize-space(.), '=')"/>
        <d name="{translate(normalize-space($pair[1]), $upper, $lower)}">
          <xsl:value-of select="str:replace(normalize-space($pair[2]), '&quot;', '')"/>
        </d>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="d" select="exsl:node-set($directives-rtf)/d"/>
    <xsl:variable name="ages-rtf">
      <age><xsl:value-of select="$min-age"/></age>
      <xsl:for-each select="$d[@name = 'max-age'][. = number(.)]">
        <age><xsl:value-of select="."/></age>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="parts-rtf">
      <p>max-age=<xsl:value-of select="math:max(exsl:node-set($ages-rtf)/age)"/></p>
      <p>; includeSubDomains</p>
      <xsl:if test="$preload = 'yes' or $d[@name = 'preload']">
        <p>; preload</p>
      </xsl:if>
      <xsl:for-each select="$d[not(@name = 'max-age' or @name = 'includesubdomains' or @name = 'preload')]">
        <p>
          <xsl:value-of select="concat('; ', @name)"/>
          <xsl:if test="string(.) != ''">
            <xsl:value-of select="concat('=', .)"/>
          </xsl:if>
        </p>
      </xsl:for-each>
    </xsl:variable>
    <xsl:value-of select="str:concat(exsl:node-set($parts-rtf)/p)"/>
  </xsl:template>

  <xsl:template match="*[local-name() = 'customHeaders']/*[local-name() = 'add']
                        [translate(@name, 'STRICT-ANSPOYU', 'strict-ansopyu') = 'strict-transport-security']/@value">
    <xsl:attribute name="value">
      <xsl:call-template name="upgrade">
        <xsl:with-param name="value" select="."/>
      </xsl:call-template>
    </xsl:attribute>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'system.webServer']/*[local-name() = 'httpProtocol']/*[local-name() = 'customHeaders']">
    <xsl:variable name="hsts" select="*[translate(@name, $upper, $lower) = 'strict-transport-security']"/>
    <!-- the white space before the closing tag stays last -->
    <xsl:variable name="closing" select="text()[not(following-sibling::node())][not(normalize-space())]"/>
    <xsl:copy>
      <xsl:apply-templates select="@* | node()[not(count(. | $closing) = 1)]"/>
      <xsl:if test="$hsts[local-name() = 'remove']">
        <xsl:comment> Strict-Transport-Security is removed here: left as it is </xsl:comment>
      </xsl:if>
      <xsl:if test="not($hsts)">
        <xsl:variable name="last" select="*[last()]"/>
        <xsl:value-of select="$last/preceding-sibling::node()[1][self::text()][not(normalize-space())]"/>
        <xsl:element name="add" namespace="{namespace-uri()}">
          <xsl:attribute name="name">Strict-Transport-Security</xsl:attribute>
          <xsl:attribute name="value">
            <xsl:call-template name="upgrade">
              <xsl:with-param name="value" select="''"/>
            </xsl:call-template>
          </xsl:attribute>
        </xsl:element>
      </xsl:if>
      <xsl:apply-templates select="$closing"/>
    </xsl:copy>
  </xsl:template>

</xsl:stylesheet>
