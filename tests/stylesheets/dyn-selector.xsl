<?xml version="1.0" encoding="utf-8"?>
<!--
  dyn-selector.xsl - a configurable extractor for build scripts: which nodes to list and what
  to print for each are XPath expressions given as parameters, evaluated with dyn:evaluate.

    select   the nodes to list               (default: every add with a key, in any namespace)
    label    printed first for each node     (default: @key)
    value    printed after the label         (default: @value)
    where    a filter, true() keeps the node (default: true())
    sort     the sort key, '' keeps document order
  Expressions may use $prefix, this stylesheet's own parameter (dyn:evaluate sees the variables
  in scope). The output is a small XML document a build step can read back:

    <values select="..." count="N">
      <value label="..." path="/configuration/appSettings/add[2]">...</value>
    </values>

  Example: every header in every scope, the name as label, sorted by value:
    xsltproc - -stringparam select "//*[local-name()='customHeaders']/*"
             - -stringparam label "@name" - -stringparam sort "@value" dyn-selector.xsl web.config
  (written with "- -" because two hyphens cannot appear in an XML comment).

  EXSLT: dyn:evaluate; function-available() falls back to a fixed appSettings list.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:dyn="http://exslt.org/dynamic"
    exclude-result-prefixes="dyn">

  <xsl:output method="xml" encoding="utf-8" indent="yes"/>

  <xsl:param name="select" select="&quot;//*[local-name() = 'add'][@key]&quot;"/>
  <xsl:param name="label" select="'@key'"/>
  <xsl:param name="value" select="'@value'"/>
  <xsl:param name="where" select="'true()'"/>
  <xsl:param name="sort" select="''"/>
  <xsl:param name="prefix" select="''"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="function-available('dyn:evaluate')">
        <xsl:variable name="nodes" select="dyn:evaluate($select)[dyn:evaluate($where)]"/>
        <values select="{$select}" count="{count($nodes)}">
          <xsl:choose>
            <xsl:when test="$sort != ''">
              <xsl:for-each select="$nodes">
                <xsl:sort select="dyn:evaluate($sort)"/>
                <xsl:call-template name="value"/>
              </xsl:for-each>
            </xsl:when>
            <xsl:otherwise>
              <xsl:for-each select="$nodes">
                <xsl:call-template name="value"/>
              </xsl:for-each>
            </xsl:otherwise>
          </xsl:choose>
        </values>
      </xsl:when>
      <xsl:otherwise>
        <values select="appSettings" count="{count(/*/*[local-name() = 'appSettings']/*[@key])}">
          <xsl:for-each select="/*/*[local-name() = 'appSettings']/*[@key]">
            <value label="{@key}"><xsl:value-of select="@value"/></value>
          </xsl:for-each>
        </values>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="value">
    <value label="{dyn:evaluate($label)}">
      <xsl:attribute name="path">
        <xsl:for-each select="ancestor-or-self::*">
          <xsl:value-of select="concat('/', local-name())"/>
          <xsl:if test="../*[local-name() = local-name(current())][2]">
            <xsl:value-of select="concat('[', count(preceding-sibling::*[local-name() = local-name(current())]) + 1, ']')"/>
          </xsl:if>
        </xsl:for-each>
      </xsl:attribute>
      <xsl:value-of select="dyn:evaluate($value)"/>
    </value>
  </xsl:template>

</xsl:stylesheet>
