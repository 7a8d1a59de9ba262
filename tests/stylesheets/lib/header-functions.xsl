<?xml version="1.0" encoding="utf-8"?>
<!--
  lib/header-functions.xsl - EXSLT functions for stylesheets that edit customHeaders, imported
  by header-functions.xsl. Not a stylesheet to run on its own: it has no templates.

  EXSLT: func:function, func:result.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:func="http://exslt.org/functions"
    xmlns:h="urn:contoso:webconfig"
    extension-element-prefixes="func"
    exclude-result-prefixes="h">

  <func:function name="h:lower">
    <xsl:param name="s"/>
    <func:result select="translate($s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
  </func:function>

  <func:function name="h:has-header">
    <xsl:param name="ch"/>
    <xsl:param name="name"/>
    <xsl:variable name="n" select="h:lower($name)"/>
    <func:result select="boolean($ch/*[local-name() = 'add'][h:lower(@name) = $n]
                           [not(following-sibling::*[local-name() = 'clear'
                                or (local-name() = 'remove' and h:lower(@name) = $n)])])"/>
  </func:function>

  <func:function name="h:after-last">
    <xsl:param name="s"/>
    <xsl:param name="sep"/>
    <xsl:choose>
      <xsl:when test="contains($s, $sep)">
        <func:result select="h:after-last(substring-after($s, $sep), $sep)"/>
      </xsl:when>
      <xsl:otherwise>
        <func:result select="$s"/>
      </xsl:otherwise>
    </xsl:choose>
  </func:function>

  <func:function name="h:indent">
    <xsl:param name="node"/>
    <xsl:variable name="before" select="$node/preceding-sibling::node()[1][self::text()]"/>
    <func:result select="h:after-last($before, '&#10;')"/>
  </func:function>

  <func:function name="h:join">
    <xsl:param name="nodes"/>
    <xsl:param name="sep" select="', '"/>
    <xsl:choose>
      <xsl:when test="count($nodes) &lt;= 1">
        <func:result select="string($nodes)"/>
      </xsl:when>
      <xsl:otherwise>
        <func:result select="concat($nodes[1], $sep, h:join($nodes[position() &gt; 1], $sep))"/>
      </xsl:otherwise>
    </xsl:choose>
  </func:function>

</xsl:stylesheet>
