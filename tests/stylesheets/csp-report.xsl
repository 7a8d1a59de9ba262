<?xml version="1.0" encoding="utf-8"?>
<!--
  csp-report.xsl - normalises a Content-Security-Policy and prints it as a table for review.

  The policies are the Content-Security-Policy and Content-Security-Policy-Report-Only headers the
  web.config adds; a file that sends none is checked against the policy the team proposes,
  $policy. Each policy is split into directives (str:tokenize on ';') and each directive into
  its name and sources (str:tokenize on blanks). The report:
    * one row per directive, sorted by name (lower-cased), with duplicate sources dropped and
      the columns laid out with str:padding and str:align;
    * warnings: 'unsafe-inline', 'unsafe-eval', '*', data:, http: sources, a directive given
      twice (browsers ignore the second), a missing object-src or base-uri;
    * the normalised policy, joined again with str:concat;
    * X-Frame-Options next to frame-ancestors, when the file sends both.

  EXSLT: str:tokenize, str:split, str:padding, str:align, str:concat, exsl:node-set.
  Parameters: policy (used when the file has no CSP header), width (of the directive column:
  longer names are cut, as str:align does).
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="str exsl">

  <xsl:output method="text" encoding="utf-8"/>

  <xsl:param name="policy"
      select="&quot;default-src 'self'; script-src 'self' https://cdn.contoso.example 'unsafe-inline' 'self';; IMG-SRC * data:;style-src 'self'   'unsafe-inline'; frame-ancestors 'none'; upgrade-insecure-requests; script-src https://evil.example&quot;"/>
  <xsl:param name="width" select="26"/>

  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="blanks" select="' &#9;&#10;&#13;'"/>

  <xsl:variable name="headers"
      select="//*[local-name() = 'customHeaders']/*[local-name() = 'add']
                 [starts-with(translate(@name, $upper, $lower), 'content-security-policy')]"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="$headers">
        <xsl:for-each select="$headers">
          <xsl:call-template name="report">
            <xsl:with-param name="title" select="@name"/>
            <xsl:with-param name="value" select="@value"/>
          </xsl:call-template>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="report">
          <xsl:with-param name="title" select="'Content-Security-Policy (proposed: the file sends none)'"/>
          <xsl:with-param name="value" select="$policy"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="report">
    <xsl:param name="title"/>
    <xsl:param name="value"/>

    <!-- one <directive> per non-empty segment, sources as <source> children -->
    <xsl:variable name="parsed-rtf">
      <xsl:for-each select="str:tokenize($value, ';')[normalize-space()]">
        <xsl:variable name="words" select="str:tokenize(., $blanks)"/>
        <directive name="{translate($words[1], $upper, $lower)}" position="{position()}">
          <!-- a source given twice in one directive is kept once -->
          <xsl:for-each select="$words[position() &gt; 1][not(. = preceding-sibling::token[preceding-sibling::token])]">
            <source><xsl:value-of select="."/></source>
          </xsl:for-each>
        </directive>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="directives" select="exsl:node-set($parsed-rtf)/directive"/>
    <xsl:variable name="rule" select="str:padding($width + 40, '-')"/>

    <xsl:value-of select="concat($title, '&#10;', $rule, '&#10;')"/>
    <xsl:value-of select="concat(str:align('directive', str:padding($width, ' '), 'left'), '  sources&#10;')"/>
    <xsl:for-each select="$directives">
      <xsl:sort select="@name"/>
      <xsl:sort select="@position" data-type="number"/>
      <xsl:variable name="name" select="@name"/>
      <xsl:value-of select="str:align(@name, str:padding($width, ' '), 'left')"/>
      <xsl:text>  </xsl:text>
      <xsl:for-each select="source">
        <xsl:value-of select="."/>
        <xsl:if test="position() != last()">
          <xsl:text> </xsl:text>
        </xsl:if>
      </xsl:for-each>
      <xsl:if test="not(source)">(no sources)</xsl:if>
      <xsl:text>&#10;</xsl:text>
      <xsl:if test="preceding-sibling::directive[@name = $name]">
        <xsl:value-of select="concat(str:padding($width + 2, ' '), '! given again: browsers use only the first ', $name, '&#10;')"/>
      </xsl:if>
      <xsl:for-each select="source[. = &quot;'unsafe-inline'&quot; or . = &quot;'unsafe-eval'&quot; or . = '*'
                                   or . = 'data:' or starts-with(., 'http:')]">
        <xsl:value-of select="concat(str:padding($width + 2, ' '), '! ', ., '&#10;')"/>
      </xsl:for-each>
    </xsl:for-each>

    <xsl:for-each select="str:split('object-src base-uri', ' ')">
      <xsl:if test="not($directives[@name = current()]) and not($directives[@name = 'default-src' and current() = 'object-src'])">
        <xsl:value-of select="concat('missing: ', ., '&#10;')"/>
      </xsl:if>
    </xsl:for-each>

    <xsl:variable name="kept-rtf">
      <xsl:for-each select="$directives[not(@name = preceding-sibling::directive/@name)]">
        <xsl:sort select="@name"/>
        <part>
          <xsl:value-of select="concat('; ', @name)"/>
          <xsl:for-each select="source">
            <xsl:value-of select="concat(' ', .)"/>
          </xsl:for-each>
        </part>
      </xsl:for-each>
    </xsl:variable>
    <xsl:value-of select="concat('normalised: ', substring(str:concat(exsl:node-set($kept-rtf)/part), 3), '&#10;')"/>
    <xsl:value-of select="concat('segments: ', count(str:tokenize($value, ';')),
                                 ', directives: ', count($directives), '&#10;')"/>

    <xsl:variable name="xfo" select="//*[local-name() = 'add'][@name = 'X-Frame-Options']"/>
    <xsl:if test="$xfo">
      <xsl:value-of select="concat('X-Frame-Options ', $xfo/@value, ' is also sent; frame-ancestors: ',
                                   $directives[@name = 'frame-ancestors']/source, '&#10;')"/>
    </xsl:if>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

</xsl:stylesheet>
