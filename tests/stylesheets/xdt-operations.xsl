<?xml version="1.0" encoding="utf-8"?>
<!--
  xdt-operations.xsl - reads a Web.Release.config style XDT transform and lists, in plain text,
  the operations it performs on web.config, for a change review:

     3. Replace           /configuration/system.web/customErrors
          with <customErrors mode="On" defaultRedirect="~/Error"> and 1 child element

  Each element with xdt:Transform gives one operation. Its target path is built from the
  element's ancestors; an ancestor's or its own xdt:Locator adds the predicate it stands for:
  Match(a,b) gives [@a='..'][@b='..'], Condition(expr) gives [expr], XPath(expr) replaces the
  path. Arguments (RemoveAttributes(a,b), SetAttributes(a), InsertBefore(xpath)) are split
  on commas with str:tokenize / str:split. A summary lists the distinct transforms and locators
  (set:distinct) used.

  A file without XDT attributes - a plain web.config - gives a one-line report.

  EXSLT: str:tokenize, str:split, str:replace, str:padding, str:align, set:distinct,
  exsl:node-set, exsl:object-type.
  Inputs: samples/aspnet-mvc/Web.Release.config; any web.config (no operations).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:set="http://exslt.org/sets"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="xdt str set exsl">

  <xsl:output method="text" encoding="utf-8"/>

  <xsl:variable name="ops" select="//*[@xdt:Transform]"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="not($ops)">
        <xsl:value-of select="concat('no XDT operations: &lt;', name(/*), '&gt; has ', count(//*), ' elements and no xdt:Transform&#10;')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('XDT operations: ', count($ops), '&#10;')"/>
        <xsl:apply-templates select="$ops" mode="op"/>
        <xsl:call-template name="summary"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "Name(args)" split into its parts -->
  <xsl:template name="verb">
    <xsl:param name="t"/>
    <xsl:value-of select="normalize-space(substring-before(concat($t, '('), '('))"/>
  </xsl:template>

  <xsl:template name="args">
    <xsl:param name="t"/>
    <!-- up to the closing ')' at the end: an XPath argument may contain parentheses -->
    <xsl:variable name="inner" select="substring-after(normalize-space($t), '(')"/>
    <xsl:value-of select="substring($inner, 1, string-length($inner) - 1)"/>
  </xsl:template>

  <!-- a string as an XPath literal -->
  <xsl:template name="literal">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="not(contains($s, &quot;'&quot;))">
        <xsl:value-of select="concat(&quot;'&quot;, $s, &quot;'&quot;)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('&quot;', str:replace($s, '&quot;', '&amp;quot;'), '&quot;')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- the path step of one element, with what its locator adds -->
  <xsl:template match="*" mode="step">
    <xsl:variable name="loc" select="string(@xdt:Locator)"/>
    <xsl:variable name="verb">
      <xsl:call-template name="verb">
        <xsl:with-param name="t" select="$loc"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="args">
      <xsl:call-template name="args">
        <xsl:with-param name="t" select="$loc"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$verb = 'XPath'">
        <xsl:value-of select="$args"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('/', name())"/>
        <xsl:if test="$verb = 'Condition'">
          <xsl:value-of select="concat('[', $args, ']')"/>
        </xsl:if>
        <xsl:if test="$verb = 'Match'">
          <xsl:variable name="element" select="."/>
          <xsl:for-each select="str:tokenize($args, ', ')">
            <xsl:variable name="attribute" select="$element/@*[name() = current()]"/>
            <xsl:text>[@</xsl:text>
            <xsl:value-of select="concat(., '=')"/>
            <xsl:call-template name="literal">
              <xsl:with-param name="s" select="$attribute"/>
            </xsl:call-template>
            <xsl:text>]</xsl:text>
          </xsl:for-each>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="path">
    <xsl:param name="of"/>
    <!-- an XPath locator starts the path afresh -->
    <xsl:variable name="last-xpath"
        select="$of/ancestor-or-self::*[starts-with(normalize-space(@xdt:Locator), 'XPath')][1]"/>
    <xsl:choose>
      <xsl:when test="$last-xpath">
        <xsl:apply-templates select="$last-xpath | $of/ancestor-or-self::*[count(ancestor::*) &gt; count($last-xpath/ancestor::*)]" mode="step"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:apply-templates select="$of/ancestor-or-self::*" mode="step"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="*" mode="op">
    <xsl:variable name="t" select="string(@xdt:Transform)"/>
    <xsl:variable name="verb">
      <xsl:call-template name="verb">
        <xsl:with-param name="t" select="$t"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="args">
      <xsl:call-template name="args">
        <xsl:with-param name="t" select="$t"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="inserts" select="starts-with($verb, 'Insert')"/>

    <xsl:value-of select="str:align(concat(position(), '.'), '    ', 'right')"/>
    <xsl:value-of select="concat(' ', str:align($verb, str:padding(18, ' '), 'left'))"/>
    <xsl:call-template name="path">
      <xsl:with-param name="of" select="self::*[not($inserts)] | parent::*[$inserts]"/>
    </xsl:call-template>
    <xsl:text>&#10;</xsl:text>

    <xsl:variable name="plain" select="@*[namespace-uri() != 'http://schemas.microsoft.com/XML-Document-Transform']"/>
    <xsl:variable name="margin" select="str:padding(10, ' ')"/>
    <xsl:choose>
      <xsl:when test="$verb = 'RemoveAttributes' or ($verb = 'SetAttributes' and $args != '')">
        <xsl:value-of select="concat($margin, 'attributes:')"/>
        <xsl:for-each select="str:split($args, ',')">
          <xsl:value-of select="concat(' ', normalize-space(.))"/>
        </xsl:for-each>
        <xsl:text>&#10;</xsl:text>
      </xsl:when>
      <xsl:when test="$verb = 'SetAttributes'">
        <xsl:for-each select="$plain[not(name() = str:tokenize(../@xdt:Locator, '(,) '))]">
          <xsl:value-of select="concat($margin, 'set ', name(), ' = ', ., '&#10;')"/>
        </xsl:for-each>
      </xsl:when>
      <xsl:when test="$verb = 'Replace' or $inserts">
        <xsl:value-of select="concat($margin, 'with &lt;', name())"/>
        <xsl:for-each select="$plain">
          <xsl:value-of select="concat(' ', name(), '=&quot;', ., '&quot;')"/>
        </xsl:for-each>
        <xsl:text>&gt;</xsl:text>
        <xsl:if test="*">
          <xsl:value-of select="concat(' and ', count(*), ' child element')"/>
          <xsl:if test="count(*) != 1">s</xsl:if>
        </xsl:if>
        <xsl:if test="$args != ''">
          <xsl:value-of select="concat(', ', substring-after($verb, 'Insert'), ' ', $args)"/>
        </xsl:if>
        <xsl:text>&#10;</xsl:text>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="summary">
    <xsl:variable name="names-rtf">
      <xsl:for-each select="$ops">
        <name>
          <xsl:call-template name="verb">
            <xsl:with-param name="t" select="@xdt:Transform"/>
          </xsl:call-template>
        </name>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="names" select="exsl:node-set($names-rtf)/name"/>
    <xsl:text>&#10;transforms:</xsl:text>
    <xsl:for-each select="set:distinct($names)">
      <xsl:value-of select="concat(' ', ., ' x', count($names[. = current()]))"/>
    </xsl:for-each>
    <xsl:text>&#10;locators:</xsl:text>
    <xsl:variable name="locators" select="set:distinct(//@xdt:Locator)"/>
    <xsl:for-each select="$locators">
      <xsl:value-of select="concat(' ', ., ' x', count(//@xdt:Locator[. = current()]))"/>
    </xsl:for-each>
    <xsl:if test="not($locators)"> none</xsl:if>
    <xsl:value-of select="concat('&#10;(', exsl:object-type($names), ' of ', count($names), ', ',
                                 exsl:object-type(count($names) = count($ops)), ' check passed)&#10;')"/>
  </xsl:template>

</xsl:stylesheet>
