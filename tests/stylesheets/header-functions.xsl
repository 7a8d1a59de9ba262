<?xml version="1.0" encoding="utf-8"?>
<!--
  header-functions.xsl - adds the baseline security headers to every customHeaders collection
  that does not send them yet, written with EXSLT user-defined functions.

  Functions (namespace urn:contoso:webconfig, prefix h), imported from lib/header-functions.xsl:
    h:lower($s)               lower-cases ASCII letters
    h:has-header($ch, $name)  true when the customHeaders $ch ends up sending $name: an <add>
                              of that name that no later <remove> of it or <clear> undoes
                              (names compared case-insensitively, as IIS does)
    h:indent($node)           the indentation in front of $node, so that new entries line up
                              with their neighbours
    h:after-last($s, $sep)    recursive: the text after the last $sep in $s
    h:join($nodes, $sep)      recursive: the string values of $nodes joined with $sep
  The stylesheet stops with a message when func:function is not supported
  (function-available, element-available).

  Each customHeaders (top level and in <location>s, in any namespace) gets the missing headers
  of $baseline, lined up like its neighbours, and a comment naming what was added. A
  self-closing <customHeaders /> gets them too.

  EXSLT: func:function, func:result, exsl:node-set, str:tokenize.
  Parameters: baseline (name=value pairs separated by '|').
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:func="http://exslt.org/functions"
    xmlns:exsl="http://exslt.org/common"
    xmlns:str="http://exslt.org/strings"
    xmlns:h="urn:contoso:webconfig"
    extension-element-prefixes="func"
    exclude-result-prefixes="exsl str h">

  <!-- the h: functions, shared with other stylesheets of the team -->
  <xsl:import href="lib/header-functions.xsl"/>

  <xsl:output method="xml" encoding="utf-8"/>

  <xsl:param name="baseline"
      select="'X-Content-Type-Options=nosniff|X-Frame-Options=SAMEORIGIN|Referrer-Policy=strict-origin-when-cross-origin|Strict-Transport-Security=max-age=31536000; includeSubDomains'"/>

  <xsl:variable name="wanted-rtf">
    <xsl:for-each select="str:tokenize($baseline, '|')">
      <header name="{substring-before(., '=')}" value="{substring-after(., '=')}"/>
    </xsl:for-each>
  </xsl:variable>
  <xsl:variable name="wanted" select="exsl:node-set($wanted-rtf)/header"/>

  <xsl:template match="/">
    <xsl:if test="not(function-available('h:has-header')) or not(element-available('func:result'))">
      <xsl:message terminate="yes">header-functions.xsl needs EXSLT func:function</xsl:message>
    </xsl:if>
    <xsl:apply-templates/>
  </xsl:template>

  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="*[local-name() = 'customHeaders']">
    <xsl:variable name="ch" select="."/>
    <xsl:variable name="missing" select="$wanted[not(h:has-header($ch, @name))]"/>
    <xsl:variable name="last" select="*[last()]"/>
    <!-- the indentation of the entries -->
    <xsl:variable name="step">
      <xsl:choose>
        <xsl:when test="$last">
          <xsl:value-of select="h:indent($last)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="concat(h:indent(.), '  ')"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:choose>
        <xsl:when test="not($missing)">
          <xsl:apply-templates select="node()"/>
        </xsl:when>
        <xsl:otherwise>
          <!-- everything up to the last element, then the new entries, then the rest -->
          <xsl:apply-templates select="$last | $last/preceding-sibling::node()"/>
          <xsl:value-of select="concat('&#10;', $step)"/>
          <xsl:comment>
            <xsl:value-of select="concat(' added: ', h:join($missing/@name), ' ')"/>
          </xsl:comment>
          <xsl:for-each select="$missing">
            <xsl:value-of select="concat('&#10;', $step)"/>
            <xsl:element name="add" namespace="{namespace-uri($ch)}">
              <xsl:copy-of select="@name | @value"/>
            </xsl:element>
          </xsl:for-each>
          <xsl:choose>
            <xsl:when test="$last">
              <xsl:apply-templates select="$last/following-sibling::node()"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="concat('&#10;', h:indent(.))"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>

</xsl:stylesheet>
