<?xml version="1.0" encoding="utf-8"?>
<!--
  location-sets.xsl - maps how a web.config is split into <location> sections, in plain text,
  to check where settings really apply before editing them:

    * the top-level sections before the first <location> and after the last one
      (set:leading / set:trailing);
    * for each <location>: its path, whether child applications inherit it, what it holds,
      and the headers it adds; the sections it shares with the top level
      (set:intersection of names, kept as nodes through exsl:node-set);
    * whether system.webServer is configured inside a location at all (set:has-same-node);
    * locations without headers (set:difference) and headers set at the top level that a
      location sets again.

  EXSLT: set:leading, set:trailing, set:intersection, set:difference, set:has-same-node,
  set:distinct, exsl:node-set.
  Inputs: any web.config (with no <location> the report says so).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:set="http://exslt.org/sets"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="set exsl">

  <xsl:output method="text" encoding="utf-8"/>

  <xsl:variable name="sections" select="/*/*"/>
  <xsl:variable name="locations" select="$sections[local-name() = 'location']"/>
  <xsl:variable name="top" select="set:difference($sections, $locations)"/>
  <xsl:variable name="header-scopes" select="//*[local-name() = 'customHeaders'][*[local-name() = 'add']]"/>
  <xsl:variable name="with-headers" select="set:intersection($locations, $header-scopes/ancestor::*)"/>

  <xsl:template name="names">
    <xsl:param name="nodes"/>
    <xsl:for-each select="$nodes">
      <xsl:value-of select="concat(' ', local-name())"/>
    </xsl:for-each>
    <xsl:if test="not($nodes)"> (none)</xsl:if>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

  <xsl:template match="/">
    <xsl:value-of select="concat(count($sections), ' sections, ', count($locations), ' of them location&#10;')"/>
    <xsl:choose>
      <xsl:when test="not($locations)">
        <xsl:text>no location sections: everything applies to the whole site&#10;top:</xsl:text>
        <xsl:call-template name="names">
          <xsl:with-param name="nodes" select="$top"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:text>before the first location:</xsl:text>
        <xsl:call-template name="names">
          <xsl:with-param name="nodes" select="set:leading($sections, $locations[1])"/>
        </xsl:call-template>
        <xsl:text>after the last location:</xsl:text>
        <xsl:call-template name="names">
          <xsl:with-param name="nodes" select="set:trailing($sections, $locations[last()])"/>
        </xsl:call-template>
        <xsl:text>between locations:</xsl:text>
        <xsl:call-template name="names">
          <xsl:with-param name="nodes"
              select="set:difference(set:trailing(set:leading($sections, $locations[last()]), $locations[1]), $locations)"/>
        </xsl:call-template>
        <xsl:apply-templates select="$locations"/>
      </xsl:otherwise>
    </xsl:choose>

    <xsl:variable name="servers" select="//*[local-name() = 'system.webServer']"/>
    <xsl:value-of select="concat('system.webServer inside a location: ',
                                 set:has-same-node($servers/.., $locations), '&#10;')"/>
    <xsl:value-of select="concat('system.webServer at the top level: ',
                                 set:has-same-node($servers, $top), '&#10;')"/>
    <xsl:if test="$locations">
      <xsl:text>locations without headers:</xsl:text>
      <xsl:for-each select="set:difference($locations, $with-headers)">
        <xsl:value-of select="concat(' ', @path)"/>
      </xsl:for-each>
      <xsl:if test="not(set:difference($locations, $with-headers))"> (none)</xsl:if>
      <xsl:text>&#10;</xsl:text>
    </xsl:if>
    <xsl:variable name="all-names" select="$header-scopes/*[local-name() = 'add']/@name"/>
    <xsl:value-of select="concat('header names: ', count(set:distinct($all-names)), ' distinct of ', count($all-names), '&#10;')"/>
  </xsl:template>

  <xsl:template match="*[local-name() = 'location']">
    <xsl:variable name="here" select="."/>
    <xsl:value-of select="concat('&#10;location ', position(), ': path=&quot;', @path, '&quot;')"/>
    <xsl:if test="@inheritInChildApplications = 'false'"> (not inherited by child applications)</xsl:if>
    <xsl:text>&#10;  holds:</xsl:text>
    <xsl:call-template name="names">
      <xsl:with-param name="nodes" select="*"/>
    </xsl:call-template>
    <!-- section names this location shares with the top level, as nodes of a tree of names -->
    <xsl:variable name="names-rtf">
      <xsl:for-each select="$top">
        <top><xsl:value-of select="local-name()"/></top>
      </xsl:for-each>
      <xsl:for-each select="*">
        <here><xsl:value-of select="local-name()"/></here>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="names" select="exsl:node-set($names-rtf)/*"/>
    <xsl:variable name="shared" select="$names[self::here][. = $names[self::top]]"/>
    <xsl:text>  also at the top level:</xsl:text>
    <xsl:for-each select="set:intersection($shared, $names[self::here])">
      <xsl:value-of select="concat(' ', .)"/>
    </xsl:for-each>
    <xsl:if test="not($shared)"> (none)</xsl:if>
    <xsl:text>&#10;</xsl:text>
    <xsl:for-each select=".//*[local-name() = 'customHeaders']/*">
      <xsl:value-of select="concat('  ', local-name(), ' ', @name)"/>
      <xsl:if test="@value">
        <xsl:value-of select="concat(' = ', @value)"/>
      </xsl:if>
      <xsl:if test="set:has-same-node(current(), $header-scopes/*)
                    and //*[local-name() = 'customHeaders'][not(ancestor::*[local-name() = 'location'])]/*[@name = current()/@name]">
        <xsl:text> (also set at the top level)</xsl:text>
      </xsl:if>
      <xsl:text>&#10;</xsl:text>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
