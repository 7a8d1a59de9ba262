<?xml version="1.0" encoding="utf-8"?>
<!--
  settings-inventory.xsl - an XML inventory of a web.config's settings for the configuration
  database: appSettings, connection strings, the target frameworks and the compilation and
  session switches, with secrets masked.

    <inventory file-sections="..." frameworks="4.8">
      <setting key="..." value="..." length="12"/>
      <connection name="..." provider="..." keywords="4" masked="Data Source=...;Password=********"/>
      ...
    </inventory>

  Masking: a connection-string keyword named Password, Pwd or User ID keeps its name and gets
  one '*' per character (str:padding); an appSettings key that ends in Key, Secret or Password
  is masked whole. $show-values may be given as a string ('yes'/'no', with - -stringparam) or
  as an XPath expression (true()/false()/1/0, with - -param): exsl:object-type tells which.
  (Two hyphens cannot appear in an XML comment: "- -" stands for them.)

  The stylesheet has no exclude-result-prefixes, as many in the wild: the EXSLT namespaces it
  declares are copied onto the literal result elements, as XSLT 1.0 says (only the
  extension-element-prefixes, here none, are left out).

  EXSLT: exsl:object-type, exsl:node-set, str:tokenize, str:split, str:padding, str:concat,
  set:distinct, math:max.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:exsl="http://exslt.org/common"
    xmlns:str="http://exslt.org/strings"
    xmlns:set="http://exslt.org/sets"
    xmlns:math="http://exslt.org/math">

  <xsl:output method="xml" encoding="utf-8" indent="yes"/>

  <xsl:param name="show-values" select="'yes'"/>

  <xsl:variable name="show">
    <xsl:choose>
      <xsl:when test="exsl:object-type($show-values) = 'string'">
        <xsl:value-of select="translate($show-values, 'YESNOTRUFALS', 'yesnotrufals') = 'yes'
                              or translate($show-values, 'YESNOTRUFALS', 'yesnotrufals') = 'true'"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="boolean($show-values)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>

  <xsl:template match="/">
    <xsl:variable name="frameworks" select="set:distinct(//@targetFramework)"/>
    <inventory param-type="{exsl:object-type($show-values)}" show-values="{$show}"
               file-sections="{count(/*/*)}">
      <xsl:attribute name="frameworks">
        <xsl:for-each select="$frameworks">
          <xsl:sort select="." data-type="number" order="descending"/>
          <xsl:value-of select="."/>
          <xsl:if test="position() != last()">
            <xsl:text> </xsl:text>
          </xsl:if>
        </xsl:for-each>
      </xsl:attribute>
      <xsl:apply-templates select="//*[local-name() = 'appSettings']/*[local-name() = 'add']"/>
      <xsl:apply-templates select="//*[local-name() = 'connectionStrings']/*[local-name() = 'add']"/>
      <xsl:variable name="switches" select="//*[local-name() = 'compilation']/@debug
                                            | //*[local-name() = 'httpRuntime']/@enableVersionHeader
                                            | //*[local-name() = 'sessionState']/@mode
                                            | //*[local-name() = 'httpCookies']/@*"/>
      <xsl:if test="$switches">
        <switches>
          <xsl:for-each select="$switches">
            <switch element="{local-name(..)}" name="{local-name()}" value="{.}"/>
          </xsl:for-each>
        </switches>
      </xsl:if>
      <xsl:variable name="lengths-rtf">
        <xsl:for-each select="//*[local-name() = 'appSettings']/*/@value">
          <n><xsl:value-of select="string-length(.)"/></n>
        </xsl:for-each>
      </xsl:variable>
      <xsl:if test="string($lengths-rtf) != ''">
        <longest-value length="{math:max(exsl:node-set($lengths-rtf)/n)}"/>
      </xsl:if>
    </inventory>
  </xsl:template>

  <xsl:template match="*[local-name() = 'appSettings']/*[local-name() = 'add']">
    <xsl:variable name="k" select="translate(@key, $upper, $lower)"/>
    <setting key="{@key}" length="{string-length(@value)}">
      <xsl:if test="ancestor::*[local-name() = 'location']">
        <xsl:attribute name="location">
          <xsl:value-of select="ancestor::*[local-name() = 'location']/@path"/>
        </xsl:attribute>
      </xsl:if>
      <xsl:if test="$show = 'true'">
        <xsl:attribute name="value">
          <xsl:choose>
            <xsl:when test="substring($k, string-length($k) - 2) = 'key'
                            or substring($k, string-length($k) - 5) = 'secret'
                            or substring($k, string-length($k) - 7) = 'password'">
              <xsl:value-of select="str:padding(string-length(@value), '*')"/>
            </xsl:when>
            <xsl:when test="contains(translate(@value, $upper, $lower), 'password=')">
              <xsl:call-template name="mask">
                <xsl:with-param name="cs" select="@value"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="@value"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
      </xsl:if>
    </setting>
  </xsl:template>

  <xsl:template match="*[local-name() = 'connectionStrings']/*[local-name() = 'add']">
    <connection name="{@name}" provider="{@providerName}"
                keywords="{count(str:tokenize(@connectionString, ';'))}">
      <xsl:if test="$show = 'true'">
        <xsl:attribute name="masked">
          <xsl:call-template name="mask">
            <xsl:with-param name="cs" select="@connectionString"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:if>
    </connection>
  </xsl:template>

  <xsl:template name="mask">
    <xsl:param name="cs"/>
    <xsl:variable name="parts-rtf">
      <xsl:for-each select="str:tokenize($cs, ';')">
        <xsl:variable name="key" select="str:split(., '=')[1]"/>
        <xsl:variable name="lkey" select="translate(normalize-space($key), $upper, $lower)"/>
        <part>
          <xsl:if test="position() &gt; 1">;</xsl:if>
          <xsl:choose>
            <xsl:when test="$lkey = 'password' or $lkey = 'pwd' or $lkey = 'user id'">
              <xsl:value-of select="concat($key, '=', str:padding(string-length(substring-after(., '=')), '*'))"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="."/>
            </xsl:otherwise>
          </xsl:choose>
        </part>
      </xsl:for-each>
    </xsl:variable>
    <xsl:value-of select="str:concat(exsl:node-set($parts-rtf)/part)"/>
  </xsl:template>

</xsl:stylesheet>
