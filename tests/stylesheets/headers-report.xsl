<?xml version="1.0" encoding="utf-8"?>
<!--
  headers-report.xsl - a plain-text inventory of the HTTP response headers a web.config sets, for
  a security review ticket.

    1. every customHeaders entry (add, remove, clear), by scope (the top level or a <location>),
       sorted by header name;
    2. the distinct header names that are added anywhere (set:distinct);
    3. which headers of the required list are missing: the list is a result tree fragment made
       a node-set with exsl:node-set, the missing ones a set:difference;
    4. Strict-Transport-Security: its max-age values (str:tokenize of the value on ';'), the
       largest and smallest with math:max / math:min, math:highest for where it comes from,
       and whether they reach six months.

  EXSLT: exsl:node-set, set:distinct, set:difference, str:tokenize, str:split, math:max, math:min,
  math:highest.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:exsl="http://exslt.org/common"
    xmlns:set="http://exslt.org/sets"
    xmlns:str="http://exslt.org/strings"
    xmlns:math="http://exslt.org/math"
    exclude-result-prefixes="exsl set str math">

  <xsl:output method="text" encoding="utf-8"/>

  <xsl:param name="min-hsts-age" select="15552000"/>

  <xsl:variable name="required-rtf">
    <header>Strict-Transport-Security</header>
    <header>X-Content-Type-Options</header>
    <header>X-Frame-Options</header>
    <header>Content-Security-Policy</header>
    <header>Referrer-Policy</header>
    <header>Permissions-Policy</header>
  </xsl:variable>
  <xsl:variable name="required" select="exsl:node-set($required-rtf)/header"/>

  <xsl:variable name="entries" select="//*[local-name() = 'customHeaders']/*"/>
  <xsl:variable name="added" select="$entries[local-name() = 'add']"/>

  <xsl:template match="/">
    <xsl:text>HTTP response headers&#10;=====================&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="not($entries)">
        <xsl:text>(no customHeaders entries)&#10;</xsl:text>
      </xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="$entries">
          <xsl:sort select="translate(@name, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
          <xsl:sort select="local-name()"/>
          <xsl:variable name="location" select="ancestor::*[local-name() = 'location'][1]"/>
          <xsl:text>  </xsl:text>
          <xsl:choose>
            <xsl:when test="$location">
              <xsl:value-of select="concat('[', $location/@path, ']')"/>
            </xsl:when>
            <xsl:otherwise>[top]</xsl:otherwise>
          </xsl:choose>
          <xsl:value-of select="concat(' ', local-name())"/>
          <xsl:if test="@name">
            <xsl:value-of select="concat(' ', @name)"/>
          </xsl:if>
          <xsl:if test="@value">
            <xsl:value-of select="concat(': ', @value)"/>
          </xsl:if>
          <xsl:text>&#10;</xsl:text>
        </xsl:for-each>
      </xsl:otherwise>
    </xsl:choose>

    <xsl:variable name="distinct" select="set:distinct($added/@name)"/>
    <xsl:value-of select="concat('&#10;distinct names added: ', count($distinct), ' (of ', count($added), ' add entries)&#10;')"/>
    <xsl:for-each select="$distinct">
      <xsl:value-of select="concat('  ', ., '&#10;')"/>
    </xsl:for-each>

    <xsl:variable name="present" select="$required[. = $added/@name]"/>
    <xsl:variable name="missing" select="set:difference($required, $present)"/>
    <xsl:value-of select="concat('&#10;required headers: ', count($present), ' of ', count($required), ' present&#10;')"/>
    <xsl:for-each select="$missing">
      <xsl:value-of select="concat('  missing: ', ., '&#10;')"/>
    </xsl:for-each>

    <xsl:call-template name="hsts"/>
  </xsl:template>

  <xsl:template name="hsts">
    <xsl:variable name="hsts" select="$added[@name = 'Strict-Transport-Security']"/>
    <xsl:text>&#10;Strict-Transport-Security&#10;</xsl:text>
    <xsl:variable name="ages-rtf">
      <xsl:for-each select="$hsts">
        <xsl:variable name="where" select="concat('#', count(preceding::* | ancestor::*) + 1)"/>
        <xsl:for-each select="str:tokenize(@value, ';')">
          <xsl:variable name="pair" select="str:split(normalize-space(.), '=')"/>
          <xsl:if test="translate($pair[1], 'MAXGE', 'maxge') = 'max-age'">
            <age from="{$where}">
              <xsl:value-of select="translate($pair[2], '&quot;', '')"/>
            </age>
          </xsl:if>
        </xsl:for-each>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="ages" select="exsl:node-set($ages-rtf)/age"/>
    <xsl:choose>
      <xsl:when test="not($hsts)">
        <xsl:text>  not sent by this file&#10;</xsl:text>
      </xsl:when>
      <xsl:when test="not($ages)">
        <xsl:text>  sent without max-age: browsers ignore it&#10;</xsl:text>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="max" select="math:max($ages)"/>
        <xsl:variable name="min" select="math:min($ages)"/>
        <xsl:value-of select="concat('  max-age values: ', count($ages), '&#10;')"/>
        <xsl:value-of select="concat('  longest: ', $max, ' s (', format-number($max div 86400, '0.#'), ' days), set by element ', math:highest($ages)[1]/@from, '&#10;')"/>
        <xsl:value-of select="concat('  shortest: ', $min, ' s&#10;')"/>
        <xsl:choose>
          <xsl:when test="$min &gt;= $min-hsts-age">
            <xsl:text>  ok: at least six months everywhere&#10;</xsl:text>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="concat('  too short: raise to ', $min-hsts-age, '&#10;')"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
